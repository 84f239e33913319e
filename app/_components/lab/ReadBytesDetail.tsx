import { readBytes, splitNotes } from '@/app/_lib/lab/read-bytes';

/** The exact bytes a recv()/recvfrom() returned, and a note when a character was cut in two. */
export function ReadBytesDetail({ base64 }: { base64: string }) {
  const r = readBytes(base64);
  const notes = splitNotes(r);
  return (
    <div className="mt-2" data-testid="read-bytes">
      <p className="m-0 text-xs font-semibold">The {r.count === 1 ? 'byte' : `${r.count} bytes`} received (hex)</p>
      <pre className="m-0 mt-1 overflow-x-auto whitespace-pre-wrap break-all rounded bg-gray-50 p-2 text-xs dark:bg-gray-950">
        {r.hex || '(none)'}
        {r.more ? ` … and ${r.more.toLocaleString('en')} more` : ''}
      </pre>
      {notes.map((n) => (
        <p key={n} className="m-0 mt-1 text-xs text-amber-900 dark:text-amber-200" role="note">
          {n}
        </p>
      ))}
    </div>
  );
}
