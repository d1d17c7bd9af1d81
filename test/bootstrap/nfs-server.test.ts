import { exportsLine, nfsServerScript, parseNfsServerChanges } from '../../bootstrap/plan/nfs-server';

describe('NFS server preparation', () => {
  const input = { path: '/var/nfs/general', clients: ['10.0.0.11', '10.0.0.0/24'], exportOptions: 'rw,sync' };

  test('one exports line with every client', () => {
    expect(exportsLine(input)).toBe('/var/nfs/general 10.0.0.11(rw,sync) 10.0.0.0/24(rw,sync)');
  });

  test('the script installs, creates, exports and reloads only when needed', () => {
    const script = nfsServerScript(input);
    expect(script).toContain("grep -q 'install ok installed'");
    expect(script).toContain('if [ ! -d /var/nfs/general ]; then');
    expect(script).toContain("line='/var/nfs/general 10.0.0.11(rw,sync) 10.0.0.0/24(rw,sync)'");
    expect(script).toContain("grep -v '^\\/var\\/nfs\\/general[[:space:]]' /etc/exports");
    expect(script).toContain('if [ -n "$changed" ]; then exportfs -ra; fi');
  });

  test('result line → changes in words', () => {
    expect(parseNfsServerChanges('noise\nchanged: installed-nfs-kernel-server exported\n')).toEqual([
      'installed nfs-kernel-server', 'exported it in /etc/exports and reloaded (exportfs -ra)',
    ]);
    expect(parseNfsServerChanges('changed:\n')).toEqual([]);
    expect(() => parseNfsServerChanges('')).toThrow(/no result line/);
  });
});
