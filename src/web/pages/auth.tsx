/**
 * Sign up and sign in. Signing in to an account with two-factor authentication is two steps:
 * the password first; the API answers 401 `totp_required`, and the same form then asks for
 * the authenticator's code (or a backup code) and sends both.
 */
import { useState } from "hono/jsx/dom";
import { ApiError, signIn, signUp } from "../api";
import { href } from "../router";
import { PageTitle, ProblemMessage, Submit, fieldValue, useFormAction } from "../ui";

function SignIn() {
  const [needsCode, setNeedsCode] = useState(false);
  const { busy, error, onSubmit } = useFormAction(async (form) => {
    try {
      await signIn({ login: fieldValue(form, "login"), password: fieldValue(form, "password"), ...(needsCode ? { totp: fieldValue(form, "totp") } : {}) });
    } catch (error) {
      // The password was right: the same form now asks for the second factor.
      if (error instanceof ApiError && error.code === "totp_required") setNeedsCode(true);
      else throw error;
    }
  });
  return (
    <form onSubmit={onSubmit} aria-labelledby="auth-title" novalidate>
      <label for="login">Email or username</label>
      <input id="login" name="login" autocomplete="username" required readOnly={needsCode} />
      <label for="password">Password</label>
      <input id="password" name="password" type="password" autocomplete="current-password" required readOnly={needsCode} />
      {needsCode && (
        <>
          <label for="totp">Authentication code</label>
          <p class="hint" id="totp-hint">
            Two-factor authentication is on: enter the 6-digit code from your authenticator app, or a backup code.
          </p>
          <input id="totp" name="totp" inputMode="numeric" autocomplete="one-time-code" required aria-describedby="totp-hint" autofocus />
        </>
      )}
      <ProblemMessage error={error} />
      <Submit busy={busy}>{needsCode ? "Verify and sign in" : "Sign in"}</Submit>
      <p>
        New to Mundo Tango? <a href={href.signup()}>Create an account</a>
      </p>
    </form>
  );
}

function SignUp() {
  const { busy, error, onSubmit } = useFormAction(async (form) => {
    await signUp({ name: fieldValue(form, "name"), username: fieldValue(form, "username"), email: fieldValue(form, "email"), password: fieldValue(form, "password") });
  });
  return (
    <form onSubmit={onSubmit} aria-labelledby="auth-title" novalidate>
      <label for="name">Your name</label>
      <input id="name" name="name" autocomplete="name" required />
      <label for="username">Username</label>
      <input id="username" name="username" autocomplete="username" required aria-describedby="username-hint" />
      <p class="hint" id="username-hint">
        Letters, digits, '_' and '.'; how other dancers find you.
      </p>
      <label for="email">Email</label>
      <input id="email" name="email" type="email" autocomplete="email" required />
      <label for="password">Password</label>
      <input id="password" name="password" type="password" autocomplete="new-password" required minLength={8} aria-describedby="password-hint" />
      <p class="hint" id="password-hint">
        At least 8 characters.
      </p>
      <ProblemMessage error={error} />
      <Submit busy={busy}>Create account</Submit>
      <p>
        Already dancing with us? <a href={href.login()}>Sign in</a>
      </p>
    </form>
  );
}

export function AuthPage({ mode }: { mode: "login" | "signup" }) {
  return (
    <main id="main" class="auth">
      <p class="brand">Mundo Tango</p>
      <section class="card">
        <div id="auth-title">
          <PageTitle>{mode === "login" ? "Sign in" : "Create your account"}</PageTitle>
        </div>
        {mode === "login" ? <SignIn /> : <SignUp />}
      </section>
    </main>
  );
}
