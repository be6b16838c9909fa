#!/usr/bin/env bash
# The "openssl way" (Kubernetes The Hard Way style): the same PKI nodeadm makes, with the openssl
# CLI — 3 CAs, every leaf certificate, the 5 kubeconfig client certificates and the
# service-account key pair and the kubelet's serving certificate: 17 RSA-2048 keys, made one
# after another as such scripts do.
# Usage: openssl-pki.sh OUTDIR [NODE] [ADDR]
set -euo pipefail
out=${1:?usage: openssl-pki.sh OUTDIR [NODE] [ADDR]}
node=${2:-cp-1}
addr=${3:-192.0.2.10}
mkdir -p "$out/etcd"
cd "$out"

key() { openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$1" 2>/dev/null; }

ca() { # ca BASE CN
  key "$1.key"
  openssl req -x509 -new -key "$1.key" -subj "/CN=$2" -days 3650 -out "$1.crt" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,digitalSignature,keyEncipherment,keyCertSign" \
    -addext "subjectAltName=DNS:$2" 2>/dev/null
}

leaf() { # leaf BASE CA SUBJECT EKU [SAN]
  key "$1.key"
  local ext
  ext=$(mktemp)
  {
    echo "basicConstraints=critical,CA:FALSE"
    echo "keyUsage=critical,digitalSignature,keyEncipherment"
    echo "extendedKeyUsage=$4"
    if [ -n "${5:-}" ]; then echo "subjectAltName=$5"; fi
  } >"$ext"
  openssl req -new -key "$1.key" -subj "$3" -out "$1.csr" 2>/dev/null
  openssl x509 -req -in "$1.csr" -CA "$2.crt" -CAkey "$2.key" -CAcreateserial -days 365 -extfile "$ext" -out "$1.crt" 2>/dev/null
  rm -f "$ext" "$1.csr"
}

ca ca kubernetes
leaf apiserver ca /CN=kube-apiserver serverAuth \
  "DNS:$node,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local,IP:10.96.0.1,IP:$addr"
leaf apiserver-kubelet-client ca /CN=kube-apiserver-kubelet-client clientAuth
ca front-proxy-ca front-proxy-ca
leaf front-proxy-client front-proxy-ca /CN=front-proxy-client clientAuth
ca etcd/ca etcd-ca
leaf etcd/server etcd/ca "/CN=$node" serverAuth,clientAuth "DNS:$node,DNS:localhost,IP:$addr,IP:127.0.0.1,IP:::1"
leaf etcd/peer etcd/ca "/CN=$node" serverAuth,clientAuth "DNS:$node,DNS:localhost,IP:$addr,IP:127.0.0.1,IP:::1"
leaf etcd/healthcheck-client etcd/ca /CN=kube-etcd-healthcheck-client clientAuth
leaf apiserver-etcd-client etcd/ca /CN=kube-apiserver-etcd-client clientAuth
key sa.key
openssl pkey -in sa.key -pubout -out sa.pub 2>/dev/null
leaf kubelet-serving ca "/O=system:nodes/CN=system:node:$node" serverAuth "DNS:$node,IP:$addr"
# The kubeconfigs' client certificates.
leaf admin ca "/O=kubeadm:cluster-admins/CN=kubernetes-admin" clientAuth
leaf super-admin ca "/O=system:masters/CN=kubernetes-super-admin" clientAuth
leaf kubelet ca "/O=system:nodes/CN=system:node:$node" clientAuth
leaf controller-manager ca /CN=system:kube-controller-manager clientAuth
leaf scheduler ca /CN=system:kube-scheduler clientAuth
