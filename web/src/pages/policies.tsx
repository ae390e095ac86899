import { useState } from "preact/hooks";

import { type NewPolicy, type PathSelection, pathSelectionValues, type Policy, type Protocol, protocolValues } from "@patronus-sdwan/sdk";

import { api } from "../api";
import {
  canWrite,
  DeleteButton,
  ErrorNote,
  Field,
  type FormErrors,
  formErrors,
  inputValue,
  Loading,
  noErrors,
  optNumber,
  Page,
  parseLabels,
  splitList,
  useAsync,
  useMe,
} from "../ui";

function matchText(p: Policy): string {
  const m = p.match;
  const parts: string[] = [];
  if (m.protocol && m.protocol !== "any") parts.push(m.protocol);
  if (m.source_prefixes?.length) parts.push(`from ${m.source_prefixes.join(", ")}`);
  if (m.destination_prefixes?.length) parts.push(`to ${m.destination_prefixes.join(", ")}`);
  if (m.destination_ports?.length) parts.push(`ports ${m.destination_ports.join(", ")}`);
  if (m.dscp != null) parts.push(`DSCP ${m.dscp}`);
  if (m.application) parts.push(`app ${m.application}`);
  return parts.join("; ") || "all traffic";
}

function actionText(p: Policy): string {
  const a = p.action;
  const parts = [a.path_selection.replace("_", " ")];
  if (a.link_preference?.length) parts.push(`prefer ${a.link_preference.join(" > ")}`);
  if (a.qos_class) parts.push(`class ${a.qos_class}`);
  const sla = a.sla;
  if (sla) {
    const t = [
      sla.max_latency_ms != null ? `≤${sla.max_latency_ms} ms` : "",
      sla.max_loss_percent != null ? `≤${sla.max_loss_percent}% loss` : "",
      sla.max_jitter_ms != null ? `≤${sla.max_jitter_ms} ms jitter` : "",
    ].filter(Boolean);
    if (t.length) parts.push(`SLA ${t.join(", ")}`);
  }
  return parts.join("; ");
}

export function PoliciesPage() {
  const me = useMe();
  const policies = useAsync(() => api.policies.all(), []);
  return (
    <Page title="Policies">
      {policies.error && <ErrorNote error={policies.error} />}
      {policies.loading && !policies.data && <Loading what="policies" />}
      {policies.data &&
        (policies.data.length === 0 ? (
          <p>No policies yet: all traffic takes the best path by link priority.</p>
        ) : (
          <div class="scroll">
            <table id="policies">
              <thead>
                <tr>
                  <th scope="col">Priority</th>
                  <th scope="col">Name</th>
                  <th scope="col">Matches</th>
                  <th scope="col">Action</th>
                  <th scope="col">Sites</th>
                  {canWrite(me) && <th scope="col"><span class="sr-only">Actions</span></th>}
                </tr>
              </thead>
              <tbody>
                {[...policies.data]
                  .sort((a, b) => a.priority - b.priority)
                  .map((p) => (
                    <tr key={p.id}>
                      <td>{p.priority}</td>
                      <td>{p.name}</td>
                      <td>{matchText(p)}</td>
                      <td>{actionText(p)}</td>
                      <td>
                        {Object.entries(p.site_selector).map(([k, v]) => `${k}=${v}`).join(", ") || "all"}
                      </td>
                      {canWrite(me) && (
                        <td>
                          <DeleteButton
                            what={`policy ${p.name}`}
                            onConfirm={async () => {
                              await api.policies.delete(p.id, { ifMatch: p.etag });
                              policies.reload();
                            }}
                          />
                        </td>
                      )}
                    </tr>
                  ))}
              </tbody>
            </table>
          </div>
        ))}
      {canWrite(me) && <NewPolicyForm onCreated={policies.reload} />}
    </Page>
  );
}

const blank = {
  name: "",
  priority: "100",
  protocol: "any" as Protocol,
  sources: "",
  destinations: "",
  ports: "",
  dscp: "",
  selection: "ordered" as PathSelection,
  preference: "",
  qos: "",
  latency: "",
  loss: "",
  jitter: "",
  holdDown: "",
  selector: "",
};

const known = [
  "/name",
  "/priority",
  "/match/protocol",
  "/match/source_prefixes",
  "/match/destination_prefixes",
  "/match/destination_ports",
  "/match/dscp",
  "/action/path_selection",
  "/action/link_preference",
  "/action/qos_class",
  "/action/sla/max_latency_ms",
  "/action/sla/max_loss_percent",
  "/action/sla/max_jitter_ms",
  "/action/failover_hold_down_seconds",
  "/site_selector",
];

function NewPolicyForm(props: { onCreated: () => void }) {
  const [d, setD] = useState(blank);
  const [errors, setErrors] = useState<FormErrors>(noErrors);
  const [busy, setBusy] = useState(false);
  const qos = useAsync(() => api.qosClasses.all(), []);
  const set = (k: keyof typeof blank) => (e: Event) => setD({ ...d, [k]: inputValue(e) });
  const err = (p: string) => errors.fields.get(p);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setErrors(noErrors);
    const sla = {
      max_latency_ms: optNumber(d.latency) ?? null,
      max_loss_percent: optNumber(d.loss) ?? null,
      max_jitter_ms: optNumber(d.jitter) ?? null,
    };
    const hasSla = sla.max_latency_ms !== null || sla.max_loss_percent !== null || sla.max_jitter_ms !== null;
    const body: NewPolicy = {
      name: d.name.trim(),
      priority: Number(d.priority),
      match: {
        protocol: d.protocol,
        source_prefixes: splitList(d.sources),
        destination_prefixes: splitList(d.destinations),
        destination_ports: splitList(d.ports),
        dscp: optNumber(d.dscp) ?? null,
      },
      action: {
        path_selection: d.selection,
        link_preference: splitList(d.preference),
        qos_class: d.qos || null,
        sla: hasSla ? sla : null,
      },
      site_selector: parseLabels(d.selector),
    };
    const holdDown = optNumber(d.holdDown);
    if (holdDown !== undefined) body.action.failover_hold_down_seconds = holdDown;
    try {
      await api.policies.create(body);
      setD(blank);
      props.onCreated();
    } catch (ex) {
      setErrors(formErrors(ex, known));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="card form" onSubmit={submit} noValidate aria-labelledby="new-policy-title">
      <h2 id="new-policy-title">New policy</h2>
      <div class="grid">
        <Field label="Name" error={err("/name")}>{(a) => <input {...a} name="name" value={d.name} onInput={set("name")} />}</Field>
        <Field label="Priority" hint="Lower matches first" error={err("/priority")}>
          {(a) => <input {...a} name="priority" inputMode="numeric" value={d.priority} onInput={set("priority")} />}
        </Field>
        <Field label="Protocol" error={err("/match/protocol")}>
          {(a) => (
            <select {...a} name="protocol" value={d.protocol} onChange={set("protocol")}>
              {protocolValues.map((p) => (
                <option key={p} value={p}>
                  {p}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Source prefixes" hint="Comma-separated" error={err("/match/source_prefixes")}>
          {(a) => <input {...a} name="source_prefixes" value={d.sources} onInput={set("sources")} />}
        </Field>
        <Field label="Destination prefixes" hint="Comma-separated" error={err("/match/destination_prefixes")}>
          {(a) => <input {...a} name="destination_prefixes" value={d.destinations} onInput={set("destinations")} />}
        </Field>
        <Field label="Destination ports" hint="e.g. 443, 5060-5061" error={err("/match/destination_ports")}>
          {(a) => <input {...a} name="destination_ports" value={d.ports} onInput={set("ports")} />}
        </Field>
        <Field label="DSCP" error={err("/match/dscp")}>{(a) => <input {...a} name="dscp" inputMode="numeric" value={d.dscp} onInput={set("dscp")} />}</Field>
        <Field label="Path selection" error={err("/action/path_selection")}>
          {(a) => (
            <select {...a} name="path_selection" value={d.selection} onChange={set("selection")}>
              {pathSelectionValues.map((p) => (
                <option key={p} value={p}>
                  {p.replace("_", " ")}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Link preference" hint="Link names, most preferred first" error={err("/action/link_preference")}>
          {(a) => <input {...a} name="link_preference" value={d.preference} onInput={set("preference")} />}
        </Field>
        <Field label="QoS class" error={err("/action/qos_class")}>
          {(a) => (
            <select {...a} name="qos_class" value={d.qos} onChange={set("qos")}>
              <option value="">none</option>
              {(qos.data ?? []).map((q) => (
                <option key={q.id} value={q.name}>
                  {q.name}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="SLA: max latency ms" error={err("/action/sla/max_latency_ms")}>
          {(a) => <input {...a} name="max_latency_ms" inputMode="numeric" value={d.latency} onInput={set("latency")} />}
        </Field>
        <Field label="SLA: max loss %" error={err("/action/sla/max_loss_percent")}>
          {(a) => <input {...a} name="max_loss_percent" inputMode="decimal" value={d.loss} onInput={set("loss")} />}
        </Field>
        <Field label="SLA: max jitter ms" error={err("/action/sla/max_jitter_ms")}>
          {(a) => <input {...a} name="max_jitter_ms" inputMode="numeric" value={d.jitter} onInput={set("jitter")} />}
        </Field>
        <Field label="Failover hold-down s" error={err("/action/failover_hold_down_seconds")}>
          {(a) => <input {...a} name="hold_down" inputMode="numeric" value={d.holdDown} onInput={set("holdDown")} />}
        </Field>
        <Field label="Sites (labels)" hint="key=value; empty: every site" error={err("/site_selector")}>
          {(a) => <input {...a} name="site_selector" value={d.selector} onInput={set("selector")} />}
        </Field>
      </div>
      {errors.general && (
        <p class="alert" role="alert">
          {errors.general}
        </p>
      )}
      <div class="actions">
        <button type="submit" disabled={busy}>
          Create policy
        </button>
      </div>
    </form>
  );
}
