// RUN: kiln-opt %s -convert-kiln-to-linalg -split-input-file | FileCheck %s
// Each kiln op family lowers to linalg on tensors; broadcasting lives in
// the indexing maps.

// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[ROW:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func @add_broadcast
func.func @add_broadcast(%a: tensor<4x3xf32>, %b: tensor<3xf32>) -> tensor<4x3xf32> {
  // CHECK: linalg.generic {indexing_maps = [#[[ID]], #[[ROW]], #[[ID]]], iterator_types = ["parallel", "parallel"]}
  // CHECK: arith.addf
  %0 = kiln.add %a, %b : (tensor<4x3xf32>, tensor<3xf32>) -> tensor<4x3xf32>
  return %0 : tensor<4x3xf32>
}

// -----

// CHECK-LABEL: func @matmul_2d
func.func @matmul_2d(%a: tensor<4x8xf32>, %b: tensor<8x3xf32>) -> tensor<4x3xf32> {
  // CHECK: %[[FILL:.*]] = linalg.fill
  // CHECK: linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<4x8xf32>, tensor<8x3xf32>) outs(%[[FILL]] : tensor<4x3xf32>)
  %0 = kiln.matmul %a, %b : (tensor<4x8xf32>, tensor<8x3xf32>) -> tensor<4x3xf32>
  return %0 : tensor<4x3xf32>
}

// -----

// CHECK-LABEL: func @matmul_batched
func.func @matmul_batched(%a: tensor<2x4x8xf32>, %b: tensor<8x3xf32>) -> tensor<2x4x3xf32> {
  // CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "parallel", "reduction"]
  // CHECK: arith.mulf
  // CHECK: arith.addf
  %0 = kiln.matmul %a, %b : (tensor<2x4x8xf32>, tensor<8x3xf32>) -> tensor<2x4x3xf32>
  return %0 : tensor<2x4x3xf32>
}

// -----

// CHECK-LABEL: func @conv
func.func @conv(%x: tensor<1x3x8x8xf32>, %w: tensor<16x3x3x3xf32>) -> tensor<1x16x8x8xf32> {
  // CHECK: tensor.pad %{{.*}} low[0, 0, 1, 1] high[0, 0, 1, 1]
  // CHECK: linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
  %0 = kiln.conv2d %x, %w {dilations = array<i64: 1, 1>, groups = 1 : i64,
         pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>}
       : (tensor<1x3x8x8xf32>, tensor<16x3x3x3xf32>) -> tensor<1x16x8x8xf32>
  return %0 : tensor<1x16x8x8xf32>
}

// -----

// CHECK-LABEL: func @depthwise_conv
func.func @depthwise_conv(%x: tensor<1x4x6x6xf32>, %w: tensor<4x1x3x3xf32>) -> tensor<1x4x4x4xf32> {
  // CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]
  %0 = kiln.conv2d %x, %w {dilations = array<i64: 1, 1>, groups = 4 : i64,
         pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>}
       : (tensor<1x4x6x6xf32>, tensor<4x1x3x3xf32>) -> tensor<1x4x4x4xf32>
  return %0 : tensor<1x4x4x4xf32>
}

// -----

// CHECK-LABEL: func @max_pool
func.func @max_pool(%x: tensor<1x2x4x4xf32>) -> tensor<1x2x2x2xf32> {
  // CHECK: %[[NEG_INF:.*]] = arith.constant 0xFF800000 : f32
  // CHECK: linalg.pooling_nchw_max
  %0 = kiln.max_pool2d %x {dilations = array<i64: 1, 1>, kernel = array<i64: 2, 2>,
         pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>}
       : (tensor<1x2x4x4xf32>) -> tensor<1x2x2x2xf32>
  return %0 : tensor<1x2x2x2xf32>
}

// -----

// Without count_include_pad, border windows divide by what they cover.
// CHECK-LABEL: func @avg_pool_exclude_pad
func.func @avg_pool_exclude_pad(%x: tensor<1x1x2x2xf32>) -> tensor<1x1x2x2xf32> {
  // CHECK: linalg.pooling_nchw_sum
  // CHECK: arith.constant dense<{{\[}}[1.000000e+00, 2.000000e+00], [2.000000e+00, 4.000000e+00]]> : tensor<2x2xf32>
  // CHECK: arith.divf
  %0 = kiln.avg_pool2d %x {count_include_pad = false, kernel = array<i64: 3, 3>,
         pads = array<i64: 2, 2, 1, 1>, strides = array<i64: 2, 2>}
       : (tensor<1x1x2x2xf32>) -> tensor<1x1x2x2xf32>
  return %0 : tensor<1x1x2x2xf32>
}

// -----

// CHECK-LABEL: func @reduce_mean_keep_dims
func.func @reduce_mean_keep_dims(%x: tensor<1x8x7x7xf32>) -> tensor<1x8x1x1xf32> {
  // CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "reduction", "reduction"]
  // CHECK: arith.constant 4.900000e+01 : f32
  // CHECK: arith.divf
  // CHECK: tensor.expand_shape
  %0 = kiln.reduce_mean %x {axes = array<i64: 2, 3>, keep_dims = true}
       : (tensor<1x8x7x7xf32>) -> tensor<1x8x1x1xf32>
  return %0 : tensor<1x8x1x1xf32>
}

// -----

// CHECK-LABEL: func @softmax
func.func @softmax(%x: tensor<2x5xf32>) -> tensor<2x5xf32> {
  // CHECK: arith.cmpf ogt
  // CHECK: arith.subf
  // CHECK: math.exp
  // CHECK: arith.addf
  // CHECK: arith.divf
  %0 = kiln.softmax %x {axis = 1 : i64} : tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}

// -----

// CHECK-LABEL: func @data_movement
func.func @data_movement(%x: tensor<2x6xf32>, %ids: tensor<3xi64>)
    -> (tensor<6x2xf32>, tensor<3x4xf32>, tensor<2x12xf32>, tensor<2x2xf32>, tensor<2x8xf32>, tensor<2x3xf32>) {
  // CHECK: linalg.transpose
  %0 = kiln.transpose %x {perm = array<i64: 1, 0>} : (tensor<2x6xf32>) -> tensor<6x2xf32>
  // CHECK: tensor.collapse_shape
  // CHECK: tensor.expand_shape
  %1 = kiln.reshape %x : tensor<2x6xf32> to tensor<3x4xf32>
  // CHECK: tensor.insert_slice
  // CHECK: tensor.insert_slice
  %2 = kiln.concat %x, %x {axis = 1 : i64} : (tensor<2x6xf32>, tensor<2x6xf32>) -> tensor<2x12xf32>
  // CHECK: tensor.extract_slice %{{.*}}[0, 1] [2, 2] [1, 2]
  %3 = kiln.slice %x {offsets = array<i64: 0, 1>, sizes = array<i64: 2, 2>, strides = array<i64: 1, 2>}
       : (tensor<2x6xf32>) -> tensor<2x2xf32>
  // CHECK: tensor.pad %{{.*}} low[0, 1] high[0, 1]
  %4 = kiln.pad %x {high = array<i64: 0, 1>, low = array<i64: 0, 1>, value = 0.0 : f64}
       : (tensor<2x6xf32>) -> tensor<2x8xf32>
  // CHECK: linalg.generic
  // CHECK: arith.index_cast
  // CHECK: tensor.extract
  %5 = kiln.gather %x, %ids {axis = 1 : i64} : (tensor<2x6xf32>, tensor<3xi64>) -> tensor<2x3xf32>
  return %0, %1, %2, %3, %4, %5 : tensor<6x2xf32>, tensor<3x4xf32>, tensor<2x12xf32>, tensor<2x2xf32>, tensor<2x8xf32>, tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func @casts
func.func @casts(%x: tensor<4xi64>, %y: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xi1>) {
  // CHECK: arith.sitofp
  %0 = kiln.cast %x : tensor<4xi64> to tensor<4xf32>
  // CHECK: arith.cmpf une
  %1 = kiln.cast %y : tensor<4xf32> to tensor<4xi1>
  return %0, %1 : tensor<4xf32>, tensor<4xi1>
}

// -----

// CHECK-LABEL: func @compare_select
func.func @compare_select(%a: tensor<4x3xf32>, %b: tensor<3xf32>) -> tensor<4x3xf32> {
  // CHECK: linalg.generic
  // CHECK: arith.cmpf olt
  // CHECK: linalg.generic
  // CHECK: arith.select
  %0 = kiln.less %a, %b : (tensor<4x3xf32>, tensor<3xf32>) -> tensor<4x3xi1>
  %1 = kiln.select %0, %a, %b : (tensor<4x3xi1>, tensor<4x3xf32>, tensor<3xf32>) -> tensor<4x3xf32>
  return %1 : tensor<4x3xf32>
}

// -----

// CHECK-LABEL: func @integer_ops
func.func @integer_ops(%a: tensor<4xi32>, %b: tensor<4xi32>) -> (tensor<4xi32>, tensor<4xi1>) {
  // CHECK: arith.remsi
  %0 = kiln.rem %a, %b : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  // CHECK: math.absi
  %1 = kiln.abs %0 : tensor<4xi32>
  // CHECK: arith.cmpi sle
  %2 = kiln.less_equal %1, %b : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi1>
  return %1, %2 : tensor<4xi32>, tensor<4xi1>
}

// -----

// Round half to even from roundf: ties take 2 * round(x / 2).
// CHECK-LABEL: func @round
func.func @round(%x: tensor<8xf32>) -> tensor<8xf32> {
  // CHECK: math.round
  // CHECK: arith.cmpf oeq
  // CHECK: math.round
  // CHECK: arith.select
  %0 = kiln.round %x : tensor<8xf32>
  return %0 : tensor<8xf32>
}

// -----

// CHECK-DAG: #[[IN:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[OUT:.*]] = affine_map<(d0, d1) -> (d0)>
// CHECK-LABEL: func @arg_max
func.func @arg_max(%x: tensor<2x10xf32>) -> tensor<2x1xi64> {
  // CHECK: linalg.generic {indexing_maps = [#[[IN]], #[[OUT]], #[[OUT]]], iterator_types = ["parallel", "reduction"]}
  // CHECK: arith.cmpf ogt
  // CHECK: linalg.index 1
  // CHECK: arith.select
  // CHECK: arith.select
  // CHECK: tensor.expand_shape
  %0 = kiln.arg_max %x {axis = 1 : i64, keep_dims = true, select_last_index = false} : (tensor<2x10xf32>) -> tensor<2x1xi64>
  return %0 : tensor<2x1xi64>
}

// -----

// CHECK-LABEL: func @arg_min_last
func.func @arg_min_last(%x: tensor<2x10xi32>) -> tensor<10xi64> {
  // CHECK: arith.cmpi sle
  %0 = kiln.arg_min %x {axis = 0 : i64, keep_dims = false, select_last_index = true} : (tensor<2x10xi32>) -> tensor<10xi64>
  return %0 : tensor<10xi64>
}

// -----

// CHECK-LABEL: func @gather_elements
func.func @gather_elements(%x: tensor<4x10xf32>, %i: tensor<4x2xi64>) -> tensor<4x2xf32> {
  // CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel"]
  // CHECK: arith.index_cast
  // CHECK: arith.cmpi slt
  // CHECK: arith.minsi
  // CHECK: %[[ROW:.*]] = linalg.index 0
  // CHECK: tensor.extract %{{.*}}[%[[ROW]], %{{.*}}] : tensor<4x10xf32>
  %0 = kiln.gather_elements %x, %i {axis = 1 : i64} : (tensor<4x10xf32>, tensor<4x2xi64>) -> tensor<4x2xf32>
  return %0 : tensor<4x2xf32>
}

// -----

// Scatters are loop nests threading the result tensor through tensor.insert.
// CHECK-LABEL: func @scatter_elements
func.func @scatter_elements(%d: tensor<3x5xf32>, %i: tensor<3x2xi64>, %u: tensor<3x2xf32>) -> tensor<3x5xf32> {
  // CHECK: %[[R:.*]] = scf.for %[[I:.*]] = {{.*}} iter_args(%[[T:.*]] = %arg0) -> (tensor<3x5xf32>)
  // CHECK: scf.for %[[J:.*]] = {{.*}} iter_args(%[[T2:.*]] = %[[T]])
  // CHECK: %[[RAW:.*]] = tensor.extract %arg1[%[[I]], %[[J]]]
  // CHECK: %[[COL:.*]] = arith.minsi
  // CHECK: %[[UPD:.*]] = tensor.extract %arg2[%[[I]], %[[J]]]
  // CHECK: %[[OLD:.*]] = tensor.extract %[[T2]][%[[I]], %[[COL]]]
  // CHECK: %[[SUM:.*]] = arith.addf %[[OLD]], %[[UPD]]
  // CHECK: tensor.insert %[[SUM]] into %[[T2]][%[[I]], %[[COL]]]
  // CHECK: return %[[R]]
  %0 = kiln.scatter_elements %d, %i, %u {axis = 1 : i64, reduction = "add"} : (tensor<3x5xf32>, tensor<3x2xi64>, tensor<3x2xf32>) -> tensor<3x5xf32>
  return %0 : tensor<3x5xf32>
}

// -----

// GatherND: each result element reads its index tuple, then the input.
// CHECK-LABEL: func @gather_nd
func.func @gather_nd(%x: tensor<2x3x4xf32>, %i: tensor<5x2xi64>) -> tensor<5x4xf32> {
  // CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel"]
  // CHECK: %[[P:.*]] = linalg.index 0
  // CHECK: tensor.extract %arg1[%[[P]], %{{.*}}] : tensor<5x2xi64>
  // CHECK: tensor.extract %arg1[%[[P]], %{{.*}}] : tensor<5x2xi64>
  // CHECK: %[[R:.*]] = linalg.index 1
  // CHECK: tensor.extract %arg0[%{{.*}}, %{{.*}}, %[[R]]] : tensor<2x3x4xf32>
  %0 = kiln.gather_nd %x, %i {batch_dims = 0 : i64} : (tensor<2x3x4xf32>, tensor<5x2xi64>) -> tensor<5x4xf32>
  return %0 : tensor<5x4xf32>
}
