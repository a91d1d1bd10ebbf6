import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { useTestDatabase } from "../../test/harness";
import { errorFields } from "./logger";

const t = await useTestDatabase();

async function failure(run: () => Promise<unknown>): Promise<unknown> {
  try {
    await run();
  } catch (error) {
    return error;
  }
  throw new Error("expected the statement to fail");
}

describe("errorFields", () => {
  it("reduces a database error to its SQLSTATE and names, never the statement's parameters", async () => {
    const secret = "$scrypt$ln=14,r=8,p=5$c2VjcmV0LXNhbHQ$c2VjcmV0LWhhc2g";
    const error = await failure(() =>
      t.db.execute(sql`INSERT INTO users (email, username, password, name) VALUES (${"dancer@example.test"}, NULL, ${secret}, 'x')`),
    );
    const logged = JSON.stringify(errorFields(error));
    expect(errorFields(error)).toEqual({
      error: expect.objectContaining({ name: "DatabaseError", sqlState: "23502", table: "users", column: "username" }),
    });
    expect(logged).not.toContain(secret);
    expect(logged).not.toContain("dancer@example.test");
    expect(logged).not.toMatch(/insert into/i);
  });

  it("keeps the message and stack of an ordinary error", () => {
    const fields = errorFields(new TypeError("boom")) as { error: { name: string; message: string; stack: string } };
    expect(fields.error).toMatchObject({ name: "TypeError", message: "boom" });
    expect(fields.error.stack).toContain("boom");
  });
});
