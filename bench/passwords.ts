/**
 * What a login costs in CPU: the scrypt hash (today's parameters) against a legacy bcrypt
 * verify, run in Node (workerd uses the same native scrypt under nodejs_compat).
 */
import bcrypt from "bcryptjs";
import { hashPassword, verifyPassword } from "../src/lib/password";
import { measure, summary } from "./lib";

export async function passwordCost(): Promise<void> {
  console.log("password hashing");
  const stored = await hashPassword("milonga-2026");
  console.log(`  scrypt hash        ${summary(await measure(30, () => hashPassword("milonga-2026"), 2))}`);
  console.log(`  scrypt verify      ${summary(await measure(30, () => verifyPassword("milonga-2026", stored), 2))}`);
  const legacy = bcrypt.hashSync("milonga-2026", 10);
  console.log(`  bcrypt(10) verify  ${summary(await measure(10, () => verifyPassword("milonga-2026", legacy), 1))} (pure JS, once per legacy account)`);
}
