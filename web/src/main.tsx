import "./style.css";

import { render } from "preact";
import { useEffect, useState } from "preact/hooks";

import { ok, raw } from "./api";
import { AuditPage } from "./pages/audit";
import { OverviewPage } from "./pages/overview";
import { PoliciesPage } from "./pages/policies";
import { QosClassesPage } from "./pages/qos";
import { SignInPage } from "./pages/signin";
import { SitePage } from "./pages/site";
import { NewSitePage, SitesPage } from "./pages/sites";
import { TokensPage } from "./pages/tokens";
import { TopologyPage } from "./pages/topology";
import { IdentityProviderPage } from "./pages/identity";
import { UsersPage } from "./pages/users";
import { navigate, useLocation } from "./router";
import { logout, onSessionChange, restore } from "./session";
import { A, canWrite, isAdmin, type Me, MeContext, Page } from "./ui";

async function whoami(): Promise<Me | undefined> {
  const me = await ok(raw.GET("/v1/auth/whoami"));
  if (me.kind === "user") return { email: me.email, role: me.role };
  if (me.kind === "api_token") return { email: me.name, role: me.role };
  return undefined;
}

function Nav(props: { me: Me; path: string }) {
  const items: [string, string][] = [
    ["/", "Overview"],
    ["/sites", "Sites"],
    ["/topology", "Topology"],
    ["/policies", "Policies"],
    ["/qos-classes", "QoS classes"],
    ["/audit", "Audit log"],
  ];
  if (isAdmin(props.me)) items.push(["/users", "Users"], ["/api-tokens", "API tokens"], ["/sso", "Single sign-on"]);
  const active = (href: string) => (href === "/" ? props.path === "/" : props.path.startsWith(href));
  return (
    <nav class="nav" aria-label="Main">
      <ul>
        {items.map(([href, label]) => (
          <li key={href}>
            <A href={href} aria-current={active(href) ? "page" : undefined}>
              {label}
            </A>
          </li>
        ))}
      </ul>
    </nav>
  );
}

function NotAllowed() {
  return (
    <Page title="Not available">
      <p>Your role does not give access to this page.</p>
    </Page>
  );
}

function Routes(props: { me: Me }) {
  const { path, query } = useLocation();
  const me = props.me;
  const site = path.match(/^\/sites\/([0-9a-f-]{36})$/);
  if (path === "/") return <OverviewPage />;
  if (path === "/sites") return <SitesPage query={query} />;
  if (path === "/sites/new") return canWrite(me) ? <NewSitePage /> : <NotAllowed />;
  if (site?.[1]) return <SitePage id={site[1]} />;
  if (path === "/topology") return <TopologyPage />;
  if (path === "/policies") return <PoliciesPage />;
  if (path === "/qos-classes") return <QosClassesPage />;
  if (path === "/audit") return <AuditPage query={query} />;
  if (path === "/users") return isAdmin(me) ? <UsersPage /> : <NotAllowed />;
  if (path === "/sso") return isAdmin(me) ? <IdentityProviderPage /> : <NotAllowed />;
  if (path === "/api-tokens") return isAdmin(me) ? <TokensPage /> : <NotAllowed />;
  return (
    <Page title="Not found">
      <p>
        There is no page here. <A href="/">Go to the overview</A>.
      </p>
    </Page>
  );
}

function App() {
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  const { path } = useLocation();

  const start = async () => {
    if (!(await restore())) return setMe(null);
    try {
      setMe((await whoami()) ?? null);
    } catch {
      setMe(null);
    }
  };
  useEffect(() => {
    void start();
    return onSessionChange((on) => {
      if (!on) setMe(null);
    });
  }, []);

  if (me === undefined) {
    return (
      <main id="main" class="center">
        <p role="status">Loading…</p>
      </main>
    );
  }
  if (me === null) {
    return <SignInPage onSignedIn={() => void start()} />;
  }
  const signOut = async () => {
    await logout();
    setMe(null);
    navigate("/", true);
  };
  return (
    <MeContext.Provider value={me}>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <A href="/" class="brand">
          Patronus
        </A>
        <Nav me={me} path={path} />
        <div class="who">
          <span>
            {me.email} <span class="badge">{me.role}</span>
          </span>
          <button type="button" class="secondary" onClick={signOut}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main">
        <Routes me={me} />
      </main>
    </MeContext.Provider>
  );
}

const root = document.getElementById("app");
if (root) render(<App />, root);
