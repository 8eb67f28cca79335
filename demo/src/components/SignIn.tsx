import { useState } from 'preact/hooks';
import { useApp } from './context.js';

/** Log in, or sign up with a display name. */
export function SignIn({ notice }: { notice: string | null }) {
  const app = useApp();
  const [mode, setMode] = useState<'login' | 'register'>('login');
  const [form, setForm] = useState({ email: '', password: '', displayName: '' });
  const [error, setError] = useState<string | null>(notice);
  const [busy, setBusy] = useState(false);

  const field = (name: keyof typeof form) => ({
    value: form[name],
    onInput: (e: Event) => setForm({ ...form, [name]: (e.target as HTMLInputElement).value }),
  });

  const submit = async (e: Event): Promise<void> => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await app.signIn(mode, form);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
      setBusy(false);
    }
  };

  const registering = mode === 'register';
  return (
    <div class="signin">
      <form class="card signin-form" onSubmit={(e) => void submit(e)}>
        <h1>Real-time demo</h1>
        <p class="muted">Chat, notifications, a board and a calendar over one socket.</p>
        <label>
          Email
          <input type="email" name="email" required autoComplete="username" {...field('email')} />
        </label>
        <label>
          Password
          <input
            type="password"
            name="password"
            required
            minLength={8}
            autoComplete={registering ? 'new-password' : 'current-password'}
            {...field('password')}
          />
        </label>
        {registering && (
          <label>
            Display name
            <input name="displayName" required {...field('displayName')} />
          </label>
        )}
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" class="primary" disabled={busy}>
          {registering ? 'Sign up' : 'Log in'}
        </button>
        <button
          type="button"
          class="link"
          onClick={() => setMode(registering ? 'login' : 'register')}
        >
          {registering ? 'I have an account: log in' : 'New here? Sign up'}
        </button>
      </form>
    </div>
  );
}
