// PLACEHOLDER: replaced by the real widget before commit.
export function ByteView(_props: Record<string, unknown>) {
  return <div className="rounded border p-4">ByteView</div>;
}
