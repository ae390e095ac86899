import { useState } from "preact/hooks";

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
  useAsync,
  useMe,
} from "../ui";

export function QosClassesPage() {
  const me = useMe();
  const classes = useAsync(() => api.qosClasses.all(), []);
  return (
    <Page title="QoS classes">
      {classes.error && <ErrorNote error={classes.error} />}
      {classes.loading && !classes.data && <Loading what="QoS classes" />}
      {classes.data &&
        (classes.data.length === 0 ? (
          <p>No QoS classes yet.</p>
        ) : (
          <div class="scroll">
            <table id="qos-classes">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Priority</th>
                  <th scope="col">DSCP</th>
                  <th scope="col">Guaranteed %</th>
                  <th scope="col">Max %</th>
                  {canWrite(me) && <th scope="col"><span class="sr-only">Actions</span></th>}
                </tr>
              </thead>
              <tbody>
                {classes.data.map((q) => (
                  <tr key={q.id}>
                    <td>{q.name}</td>
                    <td>{q.priority}</td>
                    <td>{q.dscp}</td>
                    <td>{q.guaranteed_percent}</td>
                    <td>{q.max_percent}</td>
                    {canWrite(me) && (
                      <td>
                        <DeleteButton
                          what={`QoS class ${q.name}`}
                          onConfirm={async () => {
                            await api.qosClasses.delete(q.id, { ifMatch: q.etag });
                            classes.reload();
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
      {canWrite(me) && <NewQosClassForm onCreated={classes.reload} />}
    </Page>
  );
}

const blank = { name: "", priority: "", dscp: "", guaranteed: "", max: "" };

function NewQosClassForm(props: { onCreated: () => void }) {
  const [d, setD] = useState(blank);
  const [errors, setErrors] = useState<FormErrors>(noErrors);
  const set = (k: keyof typeof blank) => (e: Event) => setD({ ...d, [k]: inputValue(e) });
  const err = (p: string) => errors.fields.get(p);
  const submit = async (e: Event) => {
    e.preventDefault();
    setErrors(noErrors);
    try {
      const max = optNumber(d.max);
      await api.qosClasses.create({
        name: d.name.trim(),
        priority: Number(d.priority),
        dscp: Number(d.dscp),
        guaranteed_percent: Number(d.guaranteed),
        ...(max !== undefined ? { max_percent: max } : {}),
      });
      setD(blank);
      props.onCreated();
    } catch (ex) {
      setErrors(formErrors(ex, ["/name", "/priority", "/dscp", "/guaranteed_percent", "/max_percent"]));
    }
  };
  return (
    <form class="card form" onSubmit={submit} noValidate aria-labelledby="new-qos-title">
      <h2 id="new-qos-title">New QoS class</h2>
      <div class="grid">
        <Field label="Name" error={err("/name")}>{(a) => <input {...a} name="name" value={d.name} onInput={set("name")} />}</Field>
        <Field label="Priority" hint="0 is served first" error={err("/priority")}>
          {(a) => <input {...a} name="priority" inputMode="numeric" value={d.priority} onInput={set("priority")} />}
        </Field>
        <Field label="DSCP" error={err("/dscp")}>{(a) => <input {...a} name="dscp" inputMode="numeric" value={d.dscp} onInput={set("dscp")} />}</Field>
        <Field label="Guaranteed %" error={err("/guaranteed_percent")}>
          {(a) => <input {...a} name="guaranteed_percent" inputMode="numeric" value={d.guaranteed} onInput={set("guaranteed")} />}
        </Field>
        <Field label="Max %" hint="Default 100" error={err("/max_percent")}>
          {(a) => <input {...a} name="max_percent" inputMode="numeric" value={d.max} onInput={set("max")} />}
        </Field>
      </div>
      {errors.general && (
        <p class="alert" role="alert">
          {errors.general}
        </p>
      )}
      <div class="actions">
        <button type="submit">Create QoS class</button>
      </div>
    </form>
  );
}
