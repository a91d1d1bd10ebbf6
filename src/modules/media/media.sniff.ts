import type { MediaKind } from "./media.policy";

/** How many leading bytes {@link sniffMediaKind} looks at (an EBML header sits well inside). */
export const SNIFF_BYTES = 4096;

/**
 * ISO base media major brands of MP4 files browsers play. QuickTime (`qt  `), HEIF/AVIF
 * images (`heic`, `mif1`, `avif`) and audio (`M4A `) share the `ftyp` box and are refused.
 */
const MP4_BRANDS = new Set(["isom", "iso2", "iso3", "iso4", "iso5", "iso6", "mp41", "mp42", "avc1", "dash", "M4V ", "MSNV"]);

const ascii = (bytes: Uint8Array, start: number, end: number) => String.fromCharCode(...bytes.subarray(start, end));

function startsWith(bytes: Uint8Array, prefix: number[], offset = 0): boolean {
  return prefix.every((byte, i) => bytes[offset + i] === byte);
}

/**
 * The media kind the bytes are, from their magic numbers, or null for anything else (HTML, a
 * script, a PDF, an unknown container). The declared Content-Type is never trusted.
 *
 * @example
 * sniffMediaKind(new Uint8Array([0xff, 0xd8, 0xff, 0xe0])); // "jpeg"
 */
export function sniffMediaKind(head: Uint8Array): MediaKind | null {
  if (startsWith(head, [0xff, 0xd8, 0xff])) return "jpeg";
  if (startsWith(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return "png";
  if (head.length >= 6 && ["GIF87a", "GIF89a"].includes(ascii(head, 0, 6))) return "gif";
  if (head.length >= 16 && ascii(head, 0, 4) === "RIFF" && ascii(head, 8, 12) === "WEBP" && ["VP8 ", "VP8L", "VP8X"].includes(ascii(head, 12, 16))) {
    return "webp";
  }
  if (head.length >= 16 && ascii(head, 4, 8) === "ftyp" && MP4_BRANDS.has(ascii(head, 8, 12))) {
    const boxSize = new DataView(head.buffer, head.byteOffset, head.byteLength).getUint32(0);
    if (boxSize >= 16) return "mp4";
  }
  if (startsWith(head, [0x1a, 0x45, 0xdf, 0xa3]) && ebmlDocType(head) === "webm") return "webm";
  return null;
}

/** An EBML variable-size integer at `at`: its value (marker bit removed) and its length, or null. */
function readVint(bytes: Uint8Array, at: number, keepMarker: boolean): { value: number; length: number } | null {
  const first = bytes[at];
  if (first === undefined || first === 0) return null;
  const length = Math.clz32(first) - 23;
  if (at + length > bytes.length) return null;
  let value = keepMarker ? first : first & (0xff >> length);
  for (let i = 1; i < length; i++) value = value * 256 + bytes[at + i]!;
  return { value, length };
}

const EBML_DOC_TYPE = 0x4282;

/** The DocType of an EBML header (`webm`, `matroska`), read from the header's child elements. */
function ebmlDocType(bytes: Uint8Array): string | null {
  const headerSize = readVint(bytes, 4, false);
  if (!headerSize) return null;
  let at = 4 + headerSize.length;
  const end = Math.min(bytes.length, at + headerSize.value);
  while (at < end) {
    const id = readVint(bytes, at, true);
    if (!id || id.length > 4) return null;
    const size = readVint(bytes, at + id.length, false);
    if (!size) return null;
    at += id.length + size.length;
    if (id.value === EBML_DOC_TYPE) return at + size.value <= bytes.length ? ascii(bytes, at, at + size.value).replace(/\0+$/, "") : null;
    at += size.value;
  }
  return null;
}
