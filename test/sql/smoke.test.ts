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
