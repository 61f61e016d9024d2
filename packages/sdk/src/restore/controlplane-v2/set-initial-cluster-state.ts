import { isMap, isScalar, isSeq, parseDocument, type Scalar, type YAMLMap, type YAMLSeq } from 'yaml';

/**
 * Returns the `etcd.yaml` text with `--initial-cluster-state=STATE` in the etcd container's command (replacing
 * any other value, or on a new line right after `etcd`). Only that line changes: the rest of the text, its
 * indentation and comments are kept byte for byte.
 * @throws Error when the manifest has no etcd container with a command.
 */
export function setInitialClusterState(options: { text: string; state: 'new' | 'existing' }): string {
  const { text } = options;
  const document = parseDocument(text);
  const containers = document.getIn(['spec', 'containers']);
  if (!isSeq(containers)) throw new Error('it has no spec.containers');
  const container = (containers as YAMLSeq).items.find(
    (item): item is YAMLMap => isMap(item) && item.get('name') === 'etcd',
  );
  const command = container?.get('command', true);
  if (!isSeq(command) || !isScalar((command as YAMLSeq).items[0])) {
    throw new Error('it has no etcd container with a command');
  }
  const flag = `--initial-cluster-state=${options.state}`;
  if ((command as YAMLSeq).flow) {
    // A flow sequence ([etcd, --a, ...]) has no lines to keep: edit the node and print the document again.
    const sequence = command as YAMLSeq;
    sequence.items = sequence.items.filter(
      (item) => !(isScalar(item) && String(item.value).startsWith('--initial-cluster-state')),
    );
    sequence.items.splice(1, 0, document.createNode(flag));
    return document.toString({ lineWidth: 0 });
  }
  const items = (command as YAMLSeq).items as Scalar[];
  const index = items.findIndex(
    (item) => isScalar(item) && String(item.value).startsWith('--initial-cluster-state'),
  );
  if (index !== -1) {
    const start = items[index]!.range![0];
    const separateValue = String(items[index]!.value) === '--initial-cluster-state' && items[index + 1];
    if (!separateValue) return `${text.slice(0, start)}${flag}${text.slice(items[index]!.range![1])}`;
    // `- --initial-cluster-state` and `- existing` on two lines: the value's line goes.
    const valueLineStart = text.lastIndexOf('\n', items[index + 1]!.range![0]);
    const flagEnd = items[index]!.range![1];
    return `${text.slice(0, start)}${flag}${text.slice(flagEnd, valueLineStart)}${text.slice(lineEnd(text, items[index + 1]!.range![1]))}`;
  }
  const first = items[0]!;
  const lineStart = text.lastIndexOf('\n', first.range![0]) + 1;
  const prefix = text.slice(lineStart, first.range![0]);
  const end = lineEnd(text, first.range![1]);
  return `${text.slice(0, end)}\n${prefix}${flag}${text.slice(end)}`;
}

function lineEnd(text: string, position: number): number {
  const newline = text.indexOf('\n', position);
  return newline === -1 ? text.length : newline;
}
