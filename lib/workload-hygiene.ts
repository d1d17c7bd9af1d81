import { ApiObject, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';

/**
 * cdk8s-plus labels every pod template with `cdk8s.io/metadata.addr`, a hash of the
 * construct path. We select pods with labels we choose, so the hash would only make a
 * refactor of the construct tree roll every pod; drop it.
 */
export function removeConstructPathLabel(workload: kplus.Workload): void {
  const key = kplus.Pod.ADDRESS_LABEL.replace(/~/g, '~0').replace(/\//g, '~1');
  ApiObject.of(workload).addJsonPatch(JsonPatch.remove(`/spec/template/metadata/labels/${key}`));
}
