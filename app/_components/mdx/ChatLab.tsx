// PLACEHOLDER: replaced by the real widget before commit.
export function ChatLab(_props: Record<string, unknown>) {
  return <div className="rounded border p-4">ChatLab</div>;
}
