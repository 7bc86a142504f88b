/** Keras metadata fixtures shared by the SavedModel tests. */

/** marshal.dumps((lambda x: __import__('os').system('id') or x).__code__), CPython 3.11, base64. */
export const EVIL_LAMBDA_CODE =
  '4wEAAAAAAAAAAAAAAAMAAAADAAAA80oAAACXAHQBAAAAAAAAAAAAAGQBpgEAAKsBAAAAAAAAAACgAQAAAAAAAAAAAAAAAAAAAAAAAAAAZAKmAQAAqwEAAAAAAAAAAHABfABTACkDTtoCb3PaAmlkKQLaCl9faW1wb3J0X1/aBnN5c3RlbSkB2gF4cwEAAAAg+gg8c3RyaW5nPvoIPGxhbWJkYT5yCAAAAAMAAABzIQAAAIAAjWqYFNEOHtQOHtcOJdIOJaBk0Q4r1A4r0A4wqHGAAPMAAAAA';

/** A tf-keras 2.x Lambda layer's keras_metadata.pb node metadata. */
export const LAMBDA_LAYER_METADATA = JSON.stringify({
  name: 'lambda',
  trainable: true,
  class_name: 'Lambda',
  config: {
    name: 'lambda',
    function: { class_name: '__tuple__', items: [EVIL_LAMBDA_CODE, null, null] },
    function_type: 'lambda',
    module: '__main__',
    output_shape: null,
    arguments: {},
  },
  shared_object_id: 1,
});
