/** The admin area's heading and tabs. */
import type { Child } from "hono/jsx";
import { PageHead, Tabs } from "../../components.tsx";

export function AdminShell(props: { path: string; count?: number; children: Child }) {
  return (
    <div class="admin-page">
      <PageHead title="Platform admin" subtitle="Moderation and the catalogue's categories" />
      <Tabs
        path={props.path}
        label="Admin"
        items={[
          ["/admin", props.count ? `Moderation queue (${props.count})` : "Moderation queue"],
          ["/admin/categories", "Categories"],
        ]}
      />
      {props.children}
    </div>
  );
}
