// PLACEHOLDER: replaced by the real widget before commit.
export function IpExplorer(_props: Record<string, unknown>) {
  return <div className="rounded border p-4">IpExplorer</div>;
}
