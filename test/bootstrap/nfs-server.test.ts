import { exportsLine, nfsServerScript, parseNfsServerChanges, renderNfsServerScript } from '../../bootstrap/plan/nfs-server';

describe('NFS server preparation', () => {
  const input = { path: '/var/nfs/general', clients: ['10.0.0.11', '10.0.0.0/24'], exportOptions: 'rw,sync' };

  test('one exports line with every client', () => {
    expect(exportsLine(input)).toBe('/var/nfs/general 10.0.0.11(rw,sync) 10.0.0.0/24(rw,sync)');
  });

  test('the script installs, creates, exports and reloads only when needed', () => {
    const script = nfsServerScript(input);
    expect(script).toContain("grep -q 'install ok installed'");
    expect(script).toContain('dir=/var/nfs/general\nprobe=$dir rest=\n');
    expect(script).toContain('esac\nif [ ! -d "$dir" ]; then');
    expect(script).toContain("line='/var/nfs/general 10.0.0.11(rw,sync) 10.0.0.0/24(rw,sync)'");
    // The older line for the folder is found by string comparison, not a regex built from the path.
    expect(script).toContain('TRITON_JETSON_EXPORT="$first" awk');
    expect(script).toContain('if [ -n "$changed" ]; then exportfs -ra; fi');
  });

  test('result line → changes in words', () => {
    expect(parseNfsServerChanges('noise\nchanged: installed-nfs-kernel-server exported\n')).toEqual([
      'installed nfs-kernel-server', 'exported it in /etc/exports and reloaded (exportfs -ra)',
    ]);
    expect(parseNfsServerChanges('changed:\n')).toEqual([]);
    expect(() => parseNfsServerChanges('')).toThrow(/no result line/);
  });

  test('the exports line is always one line: what would split it is octal-escaped', () => {
    expect(exportsLine({ path: '/srv/a b\nc', clients: ['h'], exportOptions: 'rw' })).toBe('/srv/a\\040b\\012c h(rw)');
  });

  test.each([
    [{ path: "/srv/x';touch${IFS}/tmp/pwned;'" }, /nfs\.path .*must not contain quotes/],
    [{ path: '/srv/a b' }, /nfs\.path .*must not contain spaces/],
    [{ path: '/srv/a\nb' }, /nfs\.path .*control characters/],
    [{ path: 'relative' }, /nfs\.path .*absolute/],
    [{ path: '/srv/../etc' }, /nfs\.path .*"\.\."/],
    [{ exportOptions: 'rw) *(rw' }, /nfsServer\.exportOptions .*exports\(5\) options/],
    [{ clients: ['10.0.0.1(rw) *'] }, /nfsServer\.clients .*exports\(5\) client/],
    [{ clients: [] }, /nfsServer\.clients: give at least one client/],
    [{ path: '/' }, /nfs\.path "\/": with nfsServer\.managed: true this would export the whole of "\/" read-write/],
    [{ path: '/var/' }, /nfs\.path "\/var\/": with nfsServer\.managed: true this would export the whole of "\/var"/],
    [{ path: '/etc/exports.d' }, /nfs\.path "\/etc\/exports\.d": is a system folder \(\/etc and everything under it\)/],
  ])('the plan refuses what the schema refuses, even without the schema: %j', (override, message) => {
    expect(() => nfsServerScript({ ...input, ...override })).toThrow(message);
    expect(() => renderNfsServerScript({ ...input, ...override })).not.toThrow();
  });
});
