#!/usr/bin/env node
// substitute.js <dist yaml> <pv dir> <model url base>: prints dist/'s manifests with the real-pods
// harness's ONLY substitutions (docs/real-pods.md), each reported on stderr:
//  1. no NFS here: the nfs-subdir-external-provisioner Deployment is dropped and the nfs-client
//     StorageClass becomes a no-provisioner class of the same name, with one hostPath
//     PersistentVolume (world-writable folder, like nfs-subdir's) that models-pvc binds to;
//  2. no internet: download URLs in the model-seed ConfigMap's models.list point at the
//     harness's model server (same file names);
//  3. the node is amd64 (kubelet resets kubernetes.io/arch to its GOARCH): the Triton
//     DaemonSets' required `kubernetes.io/arch In [arm64]` becomes `In [amd64]`.
// Everything else (claims, subPaths, security contexts, probes, Service, Job script) is as synthesized.
'use strict';
const fs = require('node:fs');
const YAML = require('yaml');
const [file, pvDir, urlBase] = process.argv.slice(2);
const docs = YAML.parseAllDocuments(fs.readFileSync(file, 'utf8')).map((d) => d.toJS()).filter(Boolean);
const note = (m) => process.stderr.write(`substitute: ${m}\n`);
const out = [];
let pvc;
for (const o of docs) {
  if (o.kind === 'Deployment' && /nfs/.test(JSON.stringify(o.spec.template.spec.containers.map((c) => c.image)))) {
    note(`dropped Deployment ${o.metadata.name} (${o.spec.template.spec.containers[0].image})`);
    continue;
  }
  if (o.kind === 'StorageClass') {
    note(`StorageClass ${o.metadata.name}: provisioner ${o.provisioner} -> kubernetes.io/no-provisioner`);
    o.provisioner = 'kubernetes.io/no-provisioner';
    delete o.parameters;
  }
  if (o.kind === 'PersistentVolumeClaim') pvc = o;
  if (o.kind === 'ConfigMap' && o.data && o.data['models.list']) {
    o.data['models.list'] = o.data['models.list'].replace(/^(download \S+ \S+ \S+ \S+ )(\S+)$/gm, (_, head, url) => {
      const to = `${urlBase}/${url.split('/').pop()}`;
      note(`ConfigMap ${o.metadata.name}: ${url} -> ${to}`);
      return head + to;
    });
  }
  if (o.kind === 'DaemonSet') {
    for (const term of o.spec.template.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? []) {
      for (const e of term.matchExpressions ?? []) {
        if (e.key === 'kubernetes.io/arch' && e.values.includes('arm64')) {
          e.values = e.values.map((v) => (v === 'arm64' ? 'amd64' : v));
          note(`DaemonSet ${o.metadata.name}: nodeAffinity kubernetes.io/arch In [arm64] -> [amd64]`);
        }
      }
    }
  }
  out.push(o);
}
if (!pvc) throw new Error('no PersistentVolumeClaim in ' + file);
out.push({
  apiVersion: 'v1', kind: 'PersistentVolume',
  metadata: { name: 'realpods-models' },
  spec: {
    capacity: { storage: pvc.spec.resources.requests.storage },
    accessModes: pvc.spec.accessModes,
    storageClassName: pvc.spec.storageClassName,
    persistentVolumeReclaimPolicy: 'Retain',
    claimRef: { namespace: pvc.metadata.namespace ?? 'default', name: pvc.metadata.name },
    hostPath: { path: pvDir, type: 'Directory' },
  },
});
note(`added hostPath PersistentVolume realpods-models (${pvDir}) for ${pvc.metadata.name}`);
process.stdout.write(out.map((o) => YAML.stringify(o)).join('---\n'));
