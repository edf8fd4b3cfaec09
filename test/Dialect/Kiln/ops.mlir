// RUN: kiln-opt %s | kiln-opt | FileCheck %s
// Every kiln op prints and parses back with its inferred result type.

// CHECK-LABEL: func @elementwise
func.func @elementwise(%a: tensor<4x3xf32>, %b: tensor<3xf32>) -> tensor<4x3xf32> {
  // CHECK: kiln.add %{{.*}}, %{{.*}} : (tensor<4x3xf32>, tensor<3xf32>) -> tensor<4x3xf32>
  %0 = kiln.add %a, %b : (tensor<4x3xf32>, tensor<3xf32>) -> tensor<4x3xf32>
  // CHECK: kiln.relu %{{.*}} : tensor<4x3xf32>
  %1 = kiln.relu %0 : tensor<4x3xf32>
  // CHECK: kiln.clamp %{{.*}} {max = 6.000000e+00 : f64, min = 0.000000e+00 : f64} : tensor<4x3xf32>
  %2 = kiln.clamp %1 {min = 0.0 : f64, max = 6.0 : f64} : tensor<4x3xf32>
  return %2 : tensor<4x3xf32>
}

// CHECK-LABEL: func @contraction
func.func @contraction(%a: tensor<2x4x8xf32>, %b: tensor<8x3xf32>,
                       %x: tensor<1x4x8x8xf32>, %w: tensor<8x2x3x3xf32>)
    -> (tensor<2x4x3xf32>, tensor<1x8x4x4xf32>) {
  // CHECK: kiln.matmul {{.*}} -> tensor<2x4x3xf32>
  %0 = kiln.matmul %a, %b : (tensor<2x4x8xf32>, tensor<8x3xf32>) -> tensor<2x4x3xf32>
  // CHECK: kiln.conv2d {{.*}}groups = 2{{.*}} -> tensor<1x8x4x4xf32>
  %1 = kiln.conv2d %x, %w {dilations = array<i64: 1, 1>, groups = 2 : i64,
         pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>}
       : (tensor<1x4x8x8xf32>, tensor<8x2x3x3xf32>) -> tensor<1x8x4x4xf32>
  return %0, %1 : tensor<2x4x3xf32>, tensor<1x8x4x4xf32>
}

// CHECK-LABEL: func @pooling_and_reductions
func.func @pooling_and_reductions(%x: tensor<1x8x6x6xf32>)
    -> (tensor<1x8x3x3xf32>, tensor<1x8x3x3xf32>, tensor<1x8x1x1xf32>, tensor<1x8x6x6xf32>) {
  // CHECK: kiln.max_pool2d
  %0 = kiln.max_pool2d %x {dilations = array<i64: 1, 1>, kernel = array<i64: 2, 2>,
         pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>}
       : (tensor<1x8x6x6xf32>) -> tensor<1x8x3x3xf32>
  // CHECK: kiln.avg_pool2d
  %1 = kiln.avg_pool2d %x {count_include_pad = false, kernel = array<i64: 3, 3>,
         pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>}
       : (tensor<1x8x6x6xf32>) -> tensor<1x8x3x3xf32>
  // CHECK: kiln.reduce_mean {{.*}} -> tensor<1x8x1x1xf32>
  %2 = kiln.reduce_mean %x {axes = array<i64: 2, 3>, keep_dims = true}
       : (tensor<1x8x6x6xf32>) -> tensor<1x8x1x1xf32>
  // CHECK: kiln.softmax {{.*}}axis = 1
  %3 = kiln.softmax %x {axis = 1 : i64} : tensor<1x8x6x6xf32>
  return %0, %1, %2, %3 : tensor<1x8x3x3xf32>, tensor<1x8x3x3xf32>, tensor<1x8x1x1xf32>, tensor<1x8x6x6xf32>
}

// CHECK-LABEL: func @data_movement
func.func @data_movement(%x: tensor<2x6xf32>, %ids: tensor<1x4xi64>, %t: tensor<100x16xf32>)
    -> (tensor<6x2xf32>, tensor<12xf32>, tensor<2x12xf32>, tensor<2x2xf32>, tensor<2x8xf32>,
        tensor<1x4x16xf32>, tensor<2x6xi64>, tensor<3x2x6xf32>) {
  // CHECK: kiln.transpose {{.*}} -> tensor<6x2xf32>
  %0 = kiln.transpose %x {perm = array<i64: 1, 0>} : (tensor<2x6xf32>) -> tensor<6x2xf32>
  // CHECK: kiln.reshape {{.*}} to tensor<12xf32>
  %1 = kiln.reshape %x : tensor<2x6xf32> to tensor<12xf32>
  // CHECK: kiln.concat {{.*}} -> tensor<2x12xf32>
  %2 = kiln.concat %x, %x {axis = 1 : i64} : (tensor<2x6xf32>, tensor<2x6xf32>) -> tensor<2x12xf32>
  // CHECK: kiln.slice {{.*}} -> tensor<2x2xf32>
  %3 = kiln.slice %x {offsets = array<i64: 0, 1>, sizes = array<i64: 2, 2>, strides = array<i64: 1, 2>}
       : (tensor<2x6xf32>) -> tensor<2x2xf32>
  // CHECK: kiln.pad {{.*}} -> tensor<2x8xf32>
  %4 = kiln.pad %x {high = array<i64: 0, 1>, low = array<i64: 0, 1>, value = 0.0 : f64}
       : (tensor<2x6xf32>) -> tensor<2x8xf32>
  // CHECK: kiln.gather {{.*}} -> tensor<1x4x16xf32>
  %5 = kiln.gather %t, %ids {axis = 0 : i64} : (tensor<100x16xf32>, tensor<1x4xi64>) -> tensor<1x4x16xf32>
  // CHECK: kiln.cast {{.*}} to tensor<2x6xi64>
  %6 = kiln.cast %x : tensor<2x6xf32> to tensor<2x6xi64>
  // CHECK: kiln.broadcast {{.*}} to tensor<3x2x6xf32>
  %7 = kiln.broadcast %x : tensor<2x6xf32> to tensor<3x2x6xf32>
  return %0, %1, %2, %3, %4, %5, %6, %7 : tensor<6x2xf32>, tensor<12xf32>, tensor<2x12xf32>,
      tensor<2x2xf32>, tensor<2x8xf32>, tensor<1x4x16xf32>, tensor<2x6xi64>, tensor<3x2x6xf32>
}

// CHECK-LABEL: func @logic_and_select
func.func @logic_and_select(%a: tensor<4x3xf32>, %b: tensor<3xf32>, %i: tensor<4xi32>)
    -> (tensor<4x3xf32>, tensor<4xi32>, tensor<4xi1>) {
  // CHECK: kiln.less %{{.*}}, %{{.*}} : (tensor<4x3xf32>, tensor<3xf32>) -> tensor<4x3xi1>
  %0 = kiln.less %a, %b : (tensor<4x3xf32>, tensor<3xf32>) -> tensor<4x3xi1>
  // CHECK: kiln.equal {{.*}} -> tensor<4x3xi1>
  %1 = kiln.equal %a, %b : (tensor<4x3xf32>, tensor<3xf32>) -> tensor<4x3xi1>
  // CHECK: kiln.xor {{.*}} -> tensor<4x3xi1>
  %2 = kiln.xor %0, %1 : (tensor<4x3xi1>, tensor<4x3xi1>) -> tensor<4x3xi1>
  // CHECK: kiln.select %{{.*}}, %{{.*}}, %{{.*}} : (tensor<4x3xi1>, tensor<4x3xf32>, tensor<3xf32>) -> tensor<4x3xf32>
  %3 = kiln.select %2, %a, %b : (tensor<4x3xi1>, tensor<4x3xf32>, tensor<3xf32>) -> tensor<4x3xf32>
  // CHECK: kiln.rem {{.*}} -> tensor<4xi32>
  %4 = kiln.rem %i, %i : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  // CHECK: kiln.neg %{{.*}} : tensor<4xi32>
  %5 = kiln.neg %4 : tensor<4xi32>
  // CHECK: kiln.less_equal {{.*}} -> tensor<4xi1>
  %6 = kiln.less_equal %5, %i : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi1>
  return %3, %5, %6 : tensor<4x3xf32>, tensor<4xi32>, tensor<4xi1>
}

// CHECK-LABEL: func @arg_reduce
func.func @arg_reduce(%x: tensor<2x10xf32>) -> (tensor<2xi64>, tensor<1x10xi64>) {
  // CHECK: kiln.arg_max %{{.*}} {axis = 1 : i64, keep_dims = false, select_last_index = false} : (tensor<2x10xf32>) -> tensor<2xi64>
  %0 = kiln.arg_max %x {axis = 1 : i64, keep_dims = false, select_last_index = false} : (tensor<2x10xf32>) -> tensor<2xi64>
  // CHECK: kiln.arg_min {{.*}} -> tensor<1x10xi64>
  %1 = kiln.arg_min %x {axis = 0 : i64, keep_dims = true, select_last_index = true} : (tensor<2x10xf32>) -> tensor<1x10xi64>
  return %0, %1 : tensor<2xi64>, tensor<1x10xi64>
}

// CHECK-LABEL: func @trigonometry
func.func @trigonometry(%x: tensor<8xf32>) -> tensor<8xf32> {
  // CHECK: kiln.sin
  %0 = kiln.sin %x : tensor<8xf32>
  // CHECK: kiln.acosh
  %1 = kiln.acosh %0 : tensor<8xf32>
  // CHECK: kiln.round
  %2 = kiln.round %1 : tensor<8xf32>
  return %2 : tensor<8xf32>
}

// CHECK-LABEL: func @gather_elements
func.func @gather_elements(%x: tensor<4x10xf32>, %i: tensor<4x1xi64>) -> tensor<4x1xf32> {
  // CHECK: kiln.gather_elements %{{.*}}, %{{.*}} {axis = 1 : i64} : (tensor<4x10xf32>, tensor<4x1xi64>) -> tensor<4x1xf32>
  %0 = kiln.gather_elements %x, %i {axis = 1 : i64} : (tensor<4x10xf32>, tensor<4x1xi64>) -> tensor<4x1xf32>
  return %0 : tensor<4x1xf32>
}

// CHECK-LABEL: func @scatter
func.func @scatter(%d: tensor<3x5xf32>, %i: tensor<3x2xi64>, %u: tensor<3x2xf32>,
                   %nd: tensor<4x4xf32>, %ni: tensor<2x1xi64>, %nu: tensor<2x4xf32>)
    -> (tensor<3x5xf32>, tensor<4x4xf32>) {
  // CHECK: kiln.scatter_elements {{.*}} {axis = 1 : i64, reduction = "add"}
  %0 = kiln.scatter_elements %d, %i, %u {axis = 1 : i64, reduction = "add"} : (tensor<3x5xf32>, tensor<3x2xi64>, tensor<3x2xf32>) -> tensor<3x5xf32>
  // CHECK: kiln.scatter_nd
  %1 = kiln.scatter_nd %nd, %ni, %nu : (tensor<4x4xf32>, tensor<2x1xi64>, tensor<2x4xf32>) -> tensor<4x4xf32>
  return %0, %1 : tensor<3x5xf32>, tensor<4x4xf32>
}

// CHECK-LABEL: func @row_bands
// CHECK: kiln.row_bands %arg0 {rows = 2 : i64} : tensor<1x2x4x4xi8> -> tensor<1x2x4x4xi8> {
// CHECK-NEXT: ^bb0(%[[IN:.*]]: tensor<1x2x4x4xi8>):
// CHECK-NEXT: %[[A:.*]] = kiln.qconv2d %[[IN]], %arg1
// CHECK-NEXT: %[[B:.*]] = kiln.qconv2d %[[A]], %arg1
// CHECK-NEXT: kiln.yield %[[B]] : tensor<1x2x4x4xi8>
func.func @row_bands(%x: tensor<1x2x4x4xi8>, %w: tensor<2x2x1x1xi8>) -> tensor<1x2x4x4xi8> {
  %r = kiln.row_bands %x {rows = 2 : i64} : tensor<1x2x4x4xi8> -> tensor<1x2x4x4xi8> {
  ^bb0(%in: tensor<1x2x4x4xi8>):
    %0 = kiln.qconv2d %in, %w {dilations = array<i64: 1, 1>, groups = 1 : i64, input_zero_point = 0 : i64, multiplier = array<i32: 1073741824>, output_max = 127 : i64, output_min = -128 : i64, output_zero_point = 0 : i64, pads = array<i64: 0, 0, 0, 0>, shift = array<i32: 31>, strides = array<i64: 1, 1>} : (tensor<1x2x4x4xi8>, tensor<2x2x1x1xi8>) -> tensor<1x2x4x4xi8>
    %1 = kiln.qconv2d %0, %w {dilations = array<i64: 1, 1>, groups = 1 : i64, input_zero_point = 0 : i64, multiplier = array<i32: 1073741824>, output_max = 127 : i64, output_min = -128 : i64, output_zero_point = 0 : i64, pads = array<i64: 0, 0, 0, 0>, shift = array<i32: 31>, strides = array<i64: 1, 1>} : (tensor<1x2x4x4xi8>, tensor<2x2x1x1xi8>) -> tensor<1x2x4x4xi8>
    kiln.yield %1 : tensor<1x2x4x4xi8>
  }
  return %r : tensor<1x2x4x4xi8>
}
