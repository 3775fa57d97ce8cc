// The Kubernetes protobuf codec: decode request bodies sent as application/vnd.kubernetes.protobuf into the
// JSON form of the object, and encode objects for protobuf responses.
export {
  decodeK8sProtobuf, encodeK8sProtobuf, protobufKinds, protobufSupports, hasK8sProtobufMagic, K8S_PROTOBUF_MAGIC,
} from './codec.ts';
