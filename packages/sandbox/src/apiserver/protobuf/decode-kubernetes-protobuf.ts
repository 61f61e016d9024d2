import { ApiStatusError, badRequest } from '../api-status-error.js';
import type { LooseObject } from '../loose-object.js';
import { type ProtobufField, readProtobufFields } from './protobuf-reader.js';

const magic = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

const text = (field: ProtobufField): string => ('bytes' in field ? field.bytes.toString('utf8') : '');
const bytes = (field: ProtobufField): Buffer => ('bytes' in field ? field.bytes : Buffer.alloc(0));
const flag = (field: ProtobufField): boolean => 'varint' in field && field.varint !== 0n;

function mapEntries(
  fields: ProtobufField[],
  number: number,
  value: (field: ProtobufField) => string,
): Record<string, string> | undefined {
  const entries = fields.filter((field) => field.number === number);
  if (entries.length === 0) return undefined;
  return Object.fromEntries(
    entries.map((entry) => {
      const inner = readProtobufFields(bytes(entry));
      const key = inner.find((field) => field.number === 1);
      const entryValue = inner.find((field) => field.number === 2);
      return [key ? text(key) : '', entryValue ? value(entryValue) : ''];
    }),
  );
}

function objectMeta(buffer: Buffer): LooseObject {
  const fields = readProtobufFields(buffer);
  const metadata: LooseObject = {};
  const strings: Record<number, string> = {
    1: 'name',
    2: 'generateName',
    3: 'namespace',
    5: 'uid',
    6: 'resourceVersion',
  };
  for (const field of fields) {
    const name = strings[field.number];
    if (name && text(field)) metadata[name] = text(field);
  }
  const labels = mapEntries(fields, 11, text);
  const annotations = mapEntries(fields, 12, text);
  const finalizers = fields.filter((field) => field.number === 14).map(text);
  if (labels) metadata.labels = labels;
  if (annotations) metadata.annotations = annotations;
  if (finalizers.length > 0) metadata.finalizers = finalizers;
  return metadata;
}

type Decoder = (fields: ProtobufField[]) => LooseObject;

const decoders: Record<string, Decoder> = {
  'v1/ConfigMap': (fields) => {
    const object: LooseObject = {};
    const data = mapEntries(fields, 2, text);
    const binaryData = mapEntries(fields, 3, (field) => bytes(field).toString('base64'));
    if (data) object.data = data;
    if (binaryData) object.binaryData = binaryData;
    const immutable = fields.find((field) => field.number === 4);
    if (immutable) object.immutable = flag(immutable);
    return object;
  },
  'v1/Secret': (fields) => {
    const object: LooseObject = {};
    const data = mapEntries(fields, 2, (field) => bytes(field).toString('base64'));
    const stringData = mapEntries(fields, 4, text);
    const type = fields.find((field) => field.number === 3);
    if (data) object.data = data;
    if (stringData) object.stringData = stringData;
    if (type) object.type = text(type);
    const immutable = fields.find((field) => field.number === 5);
    if (immutable) object.immutable = flag(immutable);
    return object;
  },
  'v1/Namespace': () => ({}),
};

/**
 * Decodes a `application/vnd.kubernetes.protobuf` request body (the `k8s\0` envelope around
 * runtime.Unknown). kubectl 1.32's typed clients send protobuf for `create configmap|secret|namespace`;
 * those kinds are decoded, others get 415 like a server without that serializer.
 */
export function decodeKubernetesProtobuf(body: Buffer): LooseObject {
  if (body.length < 4 || !body.subarray(0, 4).equals(magic)) {
    throw badRequest('provided protobuf is not a Kubernetes object: missing the k8s\\0 prefix');
  }
  let envelope: ProtobufField[];
  try {
    envelope = readProtobufFields(body.subarray(4));
  } catch (error) {
    throw badRequest(`unable to decode protobuf body: ${(error as Error).message}`);
  }
  const typeMetaField = envelope.find((field) => field.number === 1);
  const typeMeta = typeMetaField ? readProtobufFields(bytes(typeMetaField)) : [];
  const apiVersion = text(
    typeMeta.find((field) => field.number === 1) ?? { number: 0, bytes: Buffer.alloc(0) },
  );
  const kind = text(typeMeta.find((field) => field.number === 2) ?? { number: 0, bytes: Buffer.alloc(0) });
  const decoder = decoders[`${apiVersion}/${kind}`];
  if (!decoder) {
    throw new ApiStatusError({
      httpCode: 415,
      reason: 'UnsupportedMediaType',
      message: `the body of the request was in an unknown format - accepted media types include: application/json (protobuf is decoded for ConfigMap, Secret and Namespace only, got ${apiVersion} ${kind})`,
    });
  }
  const raw = envelope.find((field) => field.number === 2);
  const fields = raw ? readProtobufFields(bytes(raw)) : [];
  const metadataField = fields.find((field) => field.number === 1);
  return {
    apiVersion,
    kind,
    metadata: metadataField ? objectMeta(bytes(metadataField)) : {},
    ...decoder(fields),
  };
}
