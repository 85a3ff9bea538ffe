import { Citation, RuntimeContract, WrittenPath, citationUrl, isRead } from './contract';
import { RUNTIME_CONTRACTS } from './contracts';

/** `text` linked to where it was read; unread facts are marked with a dagger. */
function cite(text: string, source: Citation): string {
  const url = citationUrl(source);
  return url ? `[${text}](${url})` : `${text}†`;
}

function pathText(w: WrittenPath): string {
  if ('path' in w) return `\`${w.path}\``;
  if ('storageRoot' in w) return 'the fs storage root';
  return w.dirOf ? `dir of \`$${w.env}\`` : `\`$${w.env}\``;
}

function row(c: RuntimeContract): string {
  const user = cite(`${c.user.uid === 0 ? 'root' : c.user.uid}${c.user.passwdEntry ? '' : ' (no passwd entry)'}`, c.user.source);
  const caps = c.user.capabilities.length ? ` + ${c.user.capabilities.join(', ')}` : '';
  const home = c.home ? `; HOME ${cite('needed', c.home.source)}` : '';
  const writes = (when: 'boot' | 'work') =>
    c.writes
      .filter((w) => w.when === when)
      .map((w) => cite(pathText(w.writes), w.source))
      .join(', ') || '–';
  const boot = c.connects
    .filter((x) => x.when === 'boot' || x.ifEnv)
    .map((x) => cite(x.ifEnv ? `${x.to} (with ${x.ifEnv.name})` : x.to, x.source))
    .join(', ');
  const identity = c.identity.map((i) => cite(`pod identity for ${i.for} (ambient credentials)`, i.source)).join(', ') || '–';
  const probes = c.probes.serves.length
    ? cite(
        c.probes.serves
          .map((s) =>
            'http' in s ? `GET ${s.http}:${s.port}` : 'tcp' in s ? `TCP ${s.tcp}` : `exec ${s.exec[s.exec.length - 1].split(' ').slice(0, 3).join(' ')}…`,
          )
          .join(', '),
        c.probes.source,
      )
    : '– (Job)';
  return `| ${c.component} | ${user}${caps}${home} | ${writes('boot')} | ${writes('work')} | ${boot || '–'} | ${identity} | ${probes} |`;
}

/**
 * The README's "Will it run?" table, generated from {@link RUNTIME_CONTRACTS}:
 * per component its user, the paths it writes at boot and at work, what it
 * connects to before it serves, the identity it needs and the endpoints its
 * probes hit, each linked to the upstream lines it was read from († = not
 * readable; the rendering takes the safe choice).
 */
export function runtimeContractTable(): string {
  const header = ['| Component | User | Writes at boot | Writes at work | Connects at boot | Identity | Probes hit |', '|---|---|---|---|---|---|---|'];
  return [...header, ...RUNTIME_CONTRACTS.map(row)].join('\n');
}

/** How many facts were read from source, and how many could not be. */
export function runtimeContractCoverage(): { read: number; unread: number } {
  let read = 0;
  let unread = 0;
  for (const c of RUNTIME_CONTRACTS) {
    for (const f of [c.process, c.user, c.probes, ...(c.home ? [c.home] : []), ...c.writes, ...c.connects, ...c.identity]) {
      if (isRead(f.source)) read++;
      else unread++;
    }
  }
  return { read, unread };
}
