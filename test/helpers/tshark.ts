import { run } from './processes'

/** Both directions of one TCP stream as `tshark -qz follow,tcp,raw,N` prints them (node 0 = the side that sent the first packet). */
export interface FollowedStream {
  node0: string
  node1: string
  /** Bytes node 0 sent. */
  fromNode0: Buffer
  /** Bytes node 1 sent (tshark indents its lines with a tab). */
  fromNode1: Buffer
}

/** Runs tshark's follow-stream on a file. */
export async function followTcp(file: string, stream: number): Promise<FollowedStream> {
  const r = await run('tshark', ['-r', file, '-qz', `follow,tcp,raw,${stream}`], { timeoutMs: 60_000 })
  if (r.code !== 0) throw new Error(`tshark failed (${r.code}): ${r.stderr}`)
  const lines = r.stdout.toString('latin1').split('\n')
  const a: string[] = []
  const b: string[] = []
  let node0 = ''
  let node1 = ''
  let inBody = false
  for (const line of lines) {
    if (line.startsWith('Node 0: ')) node0 = line.slice(8).trim()
    else if (line.startsWith('Node 1: ')) {
      node1 = line.slice(8).trim()
      inBody = true
    } else if (line.startsWith('====')) inBody = false
    else if (inBody && line.length > 0) {
      if (line.startsWith('\t')) b.push(line.slice(1).trim())
      else a.push(line.trim())
    }
  }
  return { node0, node1, fromNode0: Buffer.from(a.join(''), 'hex'), fromNode1: Buffer.from(b.join(''), 'hex') }
}

/** The number of TCP conversations tshark finds in a file. */
export async function tcpStreamCount(file: string): Promise<number> {
  const r = await run('tshark', ['-r', file, '-T', 'fields', '-e', 'tcp.stream'], { timeoutMs: 60_000 })
  if (r.code !== 0) throw new Error(`tshark failed (${r.code}): ${r.stderr}`)
  return new Set(
    r.stdout
      .toString()
      .split('\n')
      .filter((l) => l.trim() !== '')
  ).size
}

/** tshark's fields of every packet, tab-separated, one row per packet. */
export async function tsharkFields(file: string, fields: string[], filter?: string): Promise<string[][]> {
  const args = ['-r', file, '-T', 'fields', ...fields.flatMap((f) => ['-e', f])]
  if (filter) args.push('-Y', filter)
  const r = await run('tshark', args, { timeoutMs: 60_000 })
  if (r.code !== 0) throw new Error(`tshark failed (${r.code}): ${r.stderr}`)
  return r.stdout
    .toString()
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => l.split('\t'))
}
