// The Kubernetes protobuf codec. For a request with Content-Type application/vnd.kubernetes.protobuf the
// apiserver calls decodeK8sProtobuf(body) and then treats the result exactly like a parsed JSON body (it must
// still check apiVersion/kind against the URL). For Accept: application/vnd.kubernetes.protobuf it may answer
// encodeK8sProtobuf(obj) when protobufSupports(apiVersion, kind), and JSON otherwise (kubectl always allows JSON).
export {
  decodeK8sProtobuf, encodeK8sProtobuf, protobufKinds, protobufSupports, hasK8sProtobufMagic, K8S_PROTOBUF_MAGIC,
} from './codec.ts';
