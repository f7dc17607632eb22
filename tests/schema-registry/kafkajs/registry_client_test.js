#!/usr/bin/env node
// The schema registry against the real, unmodified @kafkajs/confluent-schema-registry client
// (the version pinned in package-lock.json; installed by deploy/local/install-deps into
// $CDCFLOW_HOME/kafkajs-test/node_modules, which the driver puts on NODE_PATH).
//
//   node registry_client_test.js http://127.0.0.1:8081
//
// Registers an Avro, a Protobuf and a JSON schema, fetches each by id, encodes and decodes a
// message with each, reads the latest id of a subject, and checks that an incompatible Avro
// version is refused with 409. Exit 0 when every check passed, 1 with the failure otherwise.
'use strict';

const assert = require('node:assert/strict');

let client;
try {
  client = require('@kafkajs/confluent-schema-registry');
} catch (error) {
  console.error(
    'FAIL: cannot load @kafkajs/confluent-schema-registry (' + error.message + '); ' +
      'run deploy/local/install-deps and put $CDCFLOW_HOME/kafkajs-test/node_modules on NODE_PATH');
  process.exit(1);
}
const { SchemaRegistry, SchemaType } = client;

const url = process.argv[2];
if (!url) {
  console.error('usage: registry_client_test.js <registry url>');
  process.exit(2);
}
// Subjects unique to this run, so the test also passes against a registry already in use.
const run = `kafkajs-${process.pid}-${Date.now()}`;

const avroV1 = {
  type: 'record',
  name: 'Person',
  namespace: 'cdcflow.test',
  fields: [
    { name: 'fullName', type: 'string' },
    { name: 'age', type: 'int' },
  ],
};
// Adds a field without a default: a BACKWARD-incompatible change.
const avroIncompatible = {
  ...avroV1,
  fields: [...avroV1.fields, { name: 'email', type: 'string' }],
};
// Adds a field with a default: BACKWARD-compatible.
const avroV2 = {
  ...avroV1,
  fields: [...avroV1.fields, { name: 'nickname', type: 'string', default: '' }],
};

const proto = `syntax = "proto3";
package cdcflow.test;

message Order {
  string order_id = 1;
  int32 quantity = 2;
  bool express = 3;
}
`;

const jsonSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'Payment',
  type: 'object',
  properties: {
    id: { type: 'string' },
    amount: { type: 'number' },
    tags: { type: 'array', items: { type: 'string' } },
  },
  required: ['id', 'amount'],
};

// A decoded message as plain data (avsc records and protobufjs messages are class instances).
function plain(value) {
  return JSON.parse(JSON.stringify(value));
}

async function step(name, fn) {
  try {
    const result = await fn();
    console.log(`ok   ${name}`);
    return result;
  } catch (error) {
    error.message = `${name}: ${error.message}`;
    throw error;
  }
}

async function roundTrip(registry, type, schema, subject, payload) {
  const { id } = await step(`register ${type} under ${subject}`, () =>
    registry.register({ type, schema }, { subject }));
  assert.ok(Number.isInteger(id) && id > 0, `${type}: id ${id}`);

  // A fresh client has nothing cached: getSchema, encode and decode all ask the registry.
  const fresh = new SchemaRegistry({ host: url });
  await step(`getSchema(${id}) (${type})`, async () => {
    const fetched = await fresh.getSchema(id);
    assert.ok(fetched, `getSchema(${id}) returned ${fetched}`);
  });
  const encoded = await step(`encode with ${id} (${type})`, () => fresh.encode(id, payload));
  assert.equal(encoded[0], 0, 'magic byte');
  assert.equal(encoded.readInt32BE(1), id, 'schema id in the wire format');
  const decoded = await step(`decode (${type})`, () =>
    new SchemaRegistry({ host: url }).decode(encoded));
  assert.deepStrictEqual(plain(decoded), payload, `${type}: decoded message`);

  const latest = await step(`getLatestSchemaId(${subject})`, () =>
    fresh.getLatestSchemaId(subject));
  assert.equal(latest, id, `${subject}: latest id`);

  // Registering the same schema again: the same id, no new version.
  const again = await step(`re-register ${type}`, () =>
    registry.register({ type, schema }, { subject }));
  assert.equal(again.id, id, `${type}: id on re-registration`);
  return id;
}

async function main() {
  const registry = new SchemaRegistry({ host: url });

  const avroSubject = `${run}-person-value`;
  const avroId = await roundTrip(registry, SchemaType.AVRO, JSON.stringify(avroV1), avroSubject,
    { fullName: 'Ada Lovelace', age: 36 });
  const protoId = await roundTrip(registry, SchemaType.PROTOBUF, proto, `${run}-order-value`,
    { orderId: 'o-17', quantity: 3, express: true });
  const jsonId = await roundTrip(registry, SchemaType.JSON, JSON.stringify(jsonSchema),
    `${run}-payment-value`, { id: 'p-1', amount: 12.5, tags: ['a', 'b'] });
  assert.equal(new Set([avroId, protoId, jsonId]).size, 3, 'three distinct ids');

  // An incompatible Avro version is refused by the registry with 409.
  await step('incompatible Avro version is rejected', async () => {
    let error;
    try {
      await registry.register({ type: SchemaType.AVRO, schema: JSON.stringify(avroIncompatible) },
        { subject: avroSubject });
    } catch (e) {
      error = e;
    }
    assert.ok(error, 'registering an incompatible version succeeded');
    const compatibilityError = error.name === 'ConfluentSchemaRegistryCompatibilityError' &&
      !/does not match the configuration/.test(error.message);
    assert.ok(error.status === 409 || compatibilityError,
      `expected a 409 compatibility error, got ${error.name} status=${error.status}: ` +
        error.message);
  });

  // A compatible one becomes version 2 with a new id, and the latest.
  const v2 = await step('compatible Avro version 2', () =>
    registry.register({ type: SchemaType.AVRO, schema: JSON.stringify(avroV2) },
      { subject: avroSubject }));
  assert.ok(![avroId, protoId, jsonId].includes(v2.id), `version 2 id ${v2.id} is new`);
  assert.equal(await registry.getLatestSchemaId(avroSubject), v2.id, 'latest after version 2');
  assert.equal(await registry.getRegistryId(avroSubject, 1), avroId, 'version 1 id');

  // A message written with version 1 read as version 2 (schema evolution).
  const old = await registry.encode(avroId, { fullName: 'Grace Hopper', age: 85 });
  const evolved = await registry.decode(old, {
    [SchemaType.AVRO]: { readerSchema: JSON.stringify(avroV2) },
  });
  assert.deepStrictEqual(plain(evolved), { fullName: 'Grace Hopper', age: 85, nickname: '' });
}

main().then(
  () => {
    console.log('PASS');
    process.exit(0);
  },
  (error) => {
    console.error(`FAIL: ${error && error.stack ? error.stack : error}`);
    process.exit(1);
  });
