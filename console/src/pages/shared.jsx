import { useApp } from "../app.jsx";
import { SelectField } from "../ui.jsx";

// The connection the page works on, when the tenant has more than one.
export function ConnectionPicker() {
  const { connections, connectionId, setConnectionId } = useApp();
  if (!connections || connections.length < 2) return null;
  return (
    <SelectField
      label="Connection"
      name="connection"
      value={connectionId}
      onChange={setConnectionId}
      options={connections.map((c) => ({ value: c.connection_id, label: c.name }))}
    />
  );
}

