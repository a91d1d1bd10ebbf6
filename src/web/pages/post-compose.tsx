/**
 * Compose a post: text, who may see it, and a photo. The photo is uploaded as soon as it is
 * picked (`POST /api/media`), so posting waits only for the post; its preview is the local file.
 */
import "./post-compose.css";
import { useEffect, useState } from "hono/jsx/dom";
import { api, ok, uploadMedia } from "../api";
import { ProblemMessage, Submit, fieldValue, useFormAction } from "../ui";
import { type Post, useRetryKey } from "./post-card";

const VISIBILITIES = [
  { value: "public", label: "Everyone" },
  { value: "friends", label: "Friends" },
  { value: "private", label: "Only me" },
] as const;

type Visibility = (typeof VISIBILITIES)[number]["value"];

interface Photo {
  preview: string;
  url: string | null;
}

export function Compose({ onPosted }: { onPosted: (post: Post) => void }) {
  const [photo, setPhoto] = useState<Photo | null>(null);
  const [status, setStatus] = useState("");
  const retry = useRetryKey();
  const uploading = photo !== null && photo.url === null;

  // The preview's object URL is freed when the photo changes or the form goes away.
  useEffect(() => () => void (photo && URL.revokeObjectURL(photo.preview)), [photo?.preview]);

  const { busy: posting, error, setError, onSubmit } = useFormAction(async (form) => {
    setStatus("");
    const visibility = fieldValue(form, "visibility") as Visibility;
    const json = { content: fieldValue(form, "content"), visibility, ...(photo?.url ? { imageUrl: photo.url } : {}) };
    const post = await ok(api.api.posts.$post({ json, header: { "idempotency-key": retry.keyFor(json) } }));
    retry.sent();
    form.reset();
    setPhoto(null);
    setStatus("Posted.");
    onPosted(post);
  });

  const pick = async (e: Event) => {
    const input = e.currentTarget as HTMLInputElement;
    const file = input.files?.[0];
    setError(null);
    setStatus("");
    if (!file) return setPhoto(null);
    const preview = URL.createObjectURL(file);
    setPhoto({ preview, url: null });
    try {
      const url = await uploadMedia(file);
      setPhoto((current) => (current?.preview === preview ? { preview, url } : current));
      setStatus("Photo ready.");
    } catch (error) {
      setPhoto((current) => (current?.preview === preview ? null : current));
      input.value = "";
      setError(error);
    }
  };

  const removePhoto = (form: HTMLFormElement | null) => {
    setPhoto(null);
    setStatus("Photo removed.");
    const input = form?.elements.namedItem("photo") as HTMLInputElement | null;
    if (input) input.value = "";
  };

  return (
    <form class="card compose" onSubmit={onSubmit} aria-label="New post" novalidate>
      <label for="compose-content">Share something with the tango world</label>
      <textarea id="compose-content" name="content" rows={3} maxLength={5000} />
      <div class="compose-options">
        <div>
          <label for="compose-visibility">Who can see it</label>
          <select id="compose-visibility" name="visibility">
            {VISIBILITIES.map((v) => (
              <option value={v.value}>{v.label}</option>
            ))}
          </select>
        </div>
        <div>
          <label for="compose-photo">Add a photo</label>
          <input id="compose-photo" name="photo" type="file" accept="image/*" onChange={(e: Event) => void pick(e)} />
        </div>
      </div>
      {photo && (
        <div class="compose-preview">
          <img src={photo.preview} alt="Preview of the photo to post" />
          <button type="button" class="secondary small" onClick={(e: Event) => removePhoto((e.currentTarget as HTMLElement).closest("form"))}>
            Remove photo
          </button>
        </div>
      )}
      <ProblemMessage error={error} />
      <p class="hint" role="status">
        {uploading ? "Uploading the photo…" : status}
      </p>
      <Submit busy={uploading || posting}>Post</Submit>
    </form>
  );
}
