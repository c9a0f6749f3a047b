import { describe, expect, it } from 'vitest';
import { newSession, rowsOf, run } from './support.js';

describe('guide session', () => {
  it('runs the single-node session verbatim', async () => {
    const { session } = await newSession();
    expect(await session.execute('CREATE TABLE sensors (id INT, temp FLOAT, device STRING);')).toEqual({ kind: 'message', message: 'Table sensors created', rowsAffected: 0 });
    expect(await session.execute("INSERT INTO sensors (id, temp, device) VALUES (1, 25.5, 'sensor-01');")).toEqual({ kind: 'message', message: 'Inserted into sensors', rowsAffected: 1 });
    const r = await run(session, 'SELECT * FROM sensors;');
    expect(r).toEqual({ kind: 'rows', columns: ['id', 'temp', 'device'], columnTypes: ['INT', 'FLOAT', 'STRING'], rows: [[1, 25.5, 'sensor-01']] });
    expect(rowsOf(await run(session, "INSERT INTO sensors VALUES (2, 30.0, 'sensor-02')", 'SELECT count(*), avg(temp) FROM sensors'))).toEqual([[2, 27.75]]);
  });
});

describe('statements from the operator guide', () => {
  it('edge write example and the readings table', async () => {
    const { session } = await newSession();
    expect(await run(session,
      'CREATE TABLE sensors (id INT, temp FLOAT, device STRING);',
      "INSERT INTO sensors VALUES (1, 25.5, 'sensor-01');",
      "INSERT INTO sensors VALUES (2, 30.0, 'sensor-02');")).toEqual({ kind: 'message', message: 'Inserted into sensors', rowsAffected: 1 });
    expect(rowsOf(await run(session, 'SELECT * FROM sensors;'))).toEqual([[1, 25.5, 'sensor-01'], [2, 30, 'sensor-02']]);
    expect(await run(session, 'CREATE TABLE readings (reading_id STRING, device_id STRING, ts INT, seq INT, metric STRING, value FLOAT);'))
      .toEqual({ kind: 'message', message: 'Table readings created', rowsAffected: 0 });
    await run(session, "INSERT INTO readings VALUES ('d1:100:1:temp', 'd1', 100, 1, 'temp', 21.5), ('d1:160:2:temp', 'd1', 160, 2, 'temp', 22.5)");
    expect(rowsOf(await run(session, "SELECT time_bucket('1m', ts), avg(value) FROM readings WHERE metric = 'temp' GROUP BY 1 ORDER BY 1")))
      .toEqual([[60, 21.5], [120, 22.5]]);
    expect(rowsOf(await run(session, 'SELECT device_id, AVG_1H(value), count(*) FROM readings GROUP BY device_id'))).toEqual([['d1', 22, 2]]);
  });

  it('TTL table and the manual cleanup DELETE', async () => {
    const { session } = await newSession();
    expect(await run(session, 'CREATE TABLE sensors (id INT, timestamp INT, temp FLOAT) WITH TTL=7d;'))
      .toEqual({ kind: 'message', message: 'Table sensors created', rowsAffected: 0 });
    await run(session, 'INSERT INTO sensors VALUES (1, 1733800000, 1.0), (2, 1733900000, 2.0)');
    expect(await run(session, 'DELETE FROM sensors WHERE timestamp < 1733856000;'))
      .toEqual({ kind: 'message', message: 'Deleted 1 row from sensors', rowsAffected: 1 });
    expect(rowsOf(await run(session, 'SELECT id FROM sensors'))).toEqual([[2]]);
  });
});
