// PLACEHOLDER: replaced by the real widget before commit.
export function NatTable(_props: Record<string, unknown>) {
  return <div className="rounded border p-4">NatTable</div>;
}
