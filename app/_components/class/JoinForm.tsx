'use client';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { JoinCodeSchema, NICKNAME_MAX, NicknameSchema } from '@/server/protocol/class';
import { useClassMembership } from '@/app/_lib/class/class-store';
import { useClass } from '@/app/_lib/class/use-class';

type Errors = { code?: string; nickname?: string; form?: string };

const sentence = (s: string) => `${s.charAt(0).toUpperCase()}${s.slice(1)}${/[.!?]$/.test(s) ? '' : '.'}`;

/** Where a refusal from the server belongs: next to the field it is about, or above the form. */
function errorsFor(code: string, message: string): Errors {
  switch (code) {
    case 'E_BAD_CODE':
      return { code: 'No class has that code. Check it with your instructor.' };
    case 'E_ENDED':
      return { code: 'That class has ended.' };
    case 'E_NICK_TAKEN':
      return { nickname: 'Someone in this class already has that nickname, or one that looks just like it: pick another one.' };
    case 'E_BAD_NICKNAME':
      return { nickname: sentence(message) };
    default:
      return { form: sentence(message) };
  }
}

const INPUT =
  'mt-1 block w-full rounded-md border bg-white px-3 py-2 text-base dark:bg-gray-900 aria-[invalid=true]:border-red-600 dark:aria-[invalid=true]:border-red-400';

/** The student's way in: the join code (prefilled from ?code=) and a nickname. */
export function JoinForm() {
  const id = useId();
  const router = useRouter();
  const membership = useClassMembership();
  const cls = useClass({ resume: false });
  const [code, setCode] = useState('');
  const [nickname, setNickname] = useState('');
  const [errors, setErrors] = useState<Errors>({});
  const [busy, setBusy] = useState(false);
  const codeRef = useRef<HTMLInputElement>(null);
  const nickRef = useRef<HTMLInputElement>(null);

  const [codeFromLink, setCodeFromLink] = useState<boolean | null>(null);

  useEffect(() => {
    const fromUrl = new URLSearchParams(location.search).get('code');
    if (fromUrl) setCode(fromUrl.toUpperCase().slice(0, 12));
    setCodeFromLink(Boolean(fromUrl));
  }, []);

  // The cursor waits where the student types next: the nickname when the link brought the code.
  // Once the form is on screen (not while "you are in a class" shows instead).
  const formShown = !membership && codeFromLink !== null;
  useEffect(() => {
    if (!formShown) return;
    (codeFromLink ? nickRef : codeRef).current?.focus();
  }, [formShown, codeFromLink]);

  function show(next: Errors) {
    setErrors(next);
    if (next.code) codeRef.current?.focus();
    else if (next.nickname) nickRef.current?.focus();
  }

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (busy) return;
    const c = JoinCodeSchema.safeParse(code);
    const n = NicknameSchema.safeParse(nickname);
    const local: Errors = {};
    if (!c.success) local.code = sentence(c.error.issues[0]?.message ?? 'not a join code');
    if (!n.success) local.nickname = sentence(n.error.issues[0]?.message ?? 'not a nickname');
    if (local.code || local.nickname) return show(local);
    setErrors({});
    setBusy(true);
    const r = await cls.join(c.data!, n.data!);
    setBusy(false);
    if (r.ok) router.push('/');
    else show(errorsFor(r.code, r.message));
  }

  if (membership) {
    return (
      <div className="max-w-xl space-y-3 rounded-xl border border-gray-300 p-4 dark:border-gray-700" data-testid="already-in-class">
        <p className="m-0">
          You are in class <strong className="font-mono tracking-wider">{membership.code}</strong> as <strong>{membership.nickname}</strong>.
        </p>
        <div className="flex flex-wrap gap-2">
          <Link href="/" className="rounded-lg bg-blue-700 px-4 py-2 font-semibold text-white hover:bg-blue-800">
            Go to the course
          </Link>
          <button type="button" onClick={cls.leave} className="rounded-lg border border-gray-400 px-4 py-2 hover:bg-gray-100 dark:border-gray-600 dark:hover:bg-gray-800">
            Leave the class
          </button>
        </div>
      </div>
    );
  }

  const codeErr = `${id}-code-error`;
  const nickErr = `${id}-nick-error`;
  const nickHint = `${id}-nick-hint`;
  return (
    <form onSubmit={submit} noValidate className="max-w-xl space-y-4 rounded-xl border border-gray-300 p-4 dark:border-gray-700" aria-busy={busy} data-testid="join-form">
      {errors.form ? (
        <p role="alert" className="m-0 rounded-md border border-red-300 bg-red-50 p-2 text-sm text-red-900 dark:border-red-800 dark:bg-red-950/50 dark:text-red-100">
          {errors.form}
        </p>
      ) : null}
      <div>
        <label htmlFor={`${id}-code`} className="block font-medium">
          Join code
        </label>
        <input
          ref={codeRef}
          id={`${id}-code`}
          name="code"
          value={code}
          onChange={(e) => setCode(e.target.value.toUpperCase())}
          autoComplete="off"
          autoCapitalize="characters"
          spellCheck={false}
          maxLength={12}
          placeholder="ABC123"
          aria-invalid={errors.code ? true : undefined}
          aria-describedby={errors.code ? codeErr : undefined}
          className={`${INPUT} max-w-[12rem] font-mono tracking-widest border-gray-400 dark:border-gray-600`}
        />
        {errors.code ? (
          <p id={codeErr} className="m-0 mt-1 text-sm text-red-700 dark:text-red-300">
            {errors.code}
          </p>
        ) : null}
      </div>
      <div>
        <label htmlFor={`${id}-nick`} className="block font-medium">
          Nickname
        </label>
        <p id={nickHint} className="m-0 text-sm text-gray-700 dark:text-gray-300">
          What your instructor and classmates see. Letters in any script, digits and spaces; at most {NICKNAME_MAX} characters. No account
          needed.
        </p>
        <input
          ref={nickRef}
          id={`${id}-nick`}
          name="nickname"
          value={nickname}
          onChange={(e) => setNickname(e.target.value)}
          autoComplete="nickname"
          maxLength={NICKNAME_MAX * 2}
          aria-invalid={errors.nickname ? true : undefined}
          aria-describedby={errors.nickname ? `${nickHint} ${nickErr}` : nickHint}
          className={`${INPUT} max-w-sm border-gray-400 dark:border-gray-600`}
        />
        {errors.nickname ? (
          <p id={nickErr} className="m-0 mt-1 text-sm text-red-700 dark:text-red-300">
            {errors.nickname}
          </p>
        ) : null}
      </div>
      <button type="submit" disabled={busy} className="rounded-lg bg-blue-700 px-5 py-2 font-semibold text-white hover:bg-blue-800 disabled:opacity-60">
        {busy ? 'Joining…' : 'Join'}
      </button>
    </form>
  );
}
