/** A K3s server's /etc/rancher/k3s/k3s.yaml, as the kubeconfig tests and the in-memory boards use it. */
const pem = (label: string, body: string) => Buffer.from(`-----BEGIN ${label}-----\n${body}\n-----END ${label}-----\n`).toString('base64');

/** Stand-ins of the shape K3s writes (PEM blocks, base64-encoded); not real keys. */
export const K3S_CA_DATA = pem('CERTIFICATE', 'Q0EK');
export const K3S_CLIENT_CERTIFICATE_DATA = pem('CERTIFICATE', 'Q0VSVAo=');
export const K3S_CLIENT_KEY_DATA = pem('EC PRIVATE KEY', 'S0VZCg==');

export const K3S_YAML = `apiVersion: v1
clusters:
- cluster:
    certificate-authority-data: ${K3S_CA_DATA}
    server: https://127.0.0.1:6443
  name: default
contexts:
- context:
    cluster: default
    user: default
  name: default
current-context: default
kind: Config
preferences: {}
users:
- name: default
  user:
    client-certificate-data: ${K3S_CLIENT_CERTIFICATE_DATA}
    client-key-data: ${K3S_CLIENT_KEY_DATA}
`;
