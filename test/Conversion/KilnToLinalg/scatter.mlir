// RUN: kiln-opt %s -convert-kiln-to-linalg -split-input-file | FileCheck %s
// Scatter.cpp: a scatter is a perfect scf.for nest over the updates, in
// row-major order, threading the result tensor (initially the data)
// through tensor.insert. Indices are normalized (negative wraps, out of
// range clamps); a reduction reads the value already there and combines.

// scatter_elements with reduction "add": the index replaces the loop index
// on the axis; the old value is read from the carried tensor and added.
// CHECK-LABEL: func.func @scatter_elements_add
func.func @scatter_elements_add(%d: tensor<3x5xf32>, %i: tensor<3x2xi64>, %u: tensor<3x2xf32>) -> tensor<3x5xf32> {
  // CHECK-DAG: %[[ZERO:[a-z0-9_]+]] = arith.constant 0 : index
  // CHECK-DAG: %[[ONE:[a-z0-9_]+]] = arith.constant 1 : index
  // CHECK: %[[R:[a-z0-9_]+]] = scf.for %[[I:[a-z0-9_]+]] = %[[ZERO]] to %{{.*}} step %[[ONE]] iter_args(%[[T:[a-z0-9_]+]] = %arg0) -> (tensor<3x5xf32>)
  // CHECK: scf.for %[[J:[a-z0-9_]+]] = %[[ZERO]] to %{{.*}} step %[[ONE]] iter_args(%[[T2:[a-z0-9_]+]] = %[[T]]) -> (tensor<3x5xf32>)
  // CHECK: %[[RAW:[a-z0-9_]+]] = tensor.extract %arg1[%[[I]], %[[J]]] : tensor<3x2xi64>
  // CHECK: arith.index_cast %[[RAW]] : i64 to index
  // CHECK: %[[EXTENT:[a-z0-9_]+]] = arith.constant 5 : index
  // CHECK: %[[LAST:[a-z0-9_]+]] = arith.constant 4 : index
  // CHECK: arith.addi %{{.*}}, %[[EXTENT]] : index
  // CHECK: %[[COL:[a-z0-9_]+]] = arith.minsi %{{.*}}, %[[LAST]] : index
  // CHECK: %[[UPD:[a-z0-9_]+]] = tensor.extract %arg2[%[[I]], %[[J]]] : tensor<3x2xf32>
  // CHECK: %[[OLD:[a-z0-9_]+]] = tensor.extract %[[T2]][%[[I]], %[[COL]]] : tensor<3x5xf32>
  // CHECK: %[[SUM:[a-z0-9_]+]] = arith.addf %[[OLD]], %[[UPD]] : f32
  // CHECK: %[[NEW:[a-z0-9_]+]] = tensor.insert %[[SUM]] into %[[T2]][%[[I]], %[[COL]]] : tensor<3x5xf32>
  // CHECK: scf.yield %[[NEW]] : tensor<3x5xf32>
  // CHECK: return %[[R]]
  %0 = kiln.scatter_elements %d, %i, %u {axis = 1 : i64, reduction = "add"} : (tensor<3x5xf32>, tensor<3x2xi64>, tensor<3x2xf32>) -> tensor<3x5xf32>
  return %0 : tensor<3x5xf32>
}

// -----

// Without a reduction (the default "none") the update is inserted as is:
// nothing is read from the carried tensor. The loop bounds are the update
// shape; on axis 0 the index replaces the row.
// CHECK-LABEL: func.func @scatter_elements_replace
func.func @scatter_elements_replace(%d: tensor<3x5xi32>, %i: tensor<2x2xi32>, %u: tensor<2x2xi32>) -> tensor<3x5xi32> {
  // CHECK: %[[N0:[a-z0-9_]+]] = arith.constant 2 : index
  // CHECK: %[[N1:[a-z0-9_]+]] = arith.constant 2 : index
  // CHECK: scf.for %[[I:[a-z0-9_]+]] = %{{.*}} to %[[N0]] {{.*}} iter_args(%{{.*}} = %arg0)
  // CHECK: scf.for %[[J:[a-z0-9_]+]] = %{{.*}} to %[[N1]] {{.*}} iter_args(%[[T:[a-z0-9_]+]] = %{{.*}})
  // CHECK: tensor.extract %arg1[%[[I]], %[[J]]] : tensor<2x2xi32>
  // CHECK: arith.index_cast %{{.*}} : i32 to index
  // CHECK: arith.constant 3 : index
  // CHECK: %[[ROW:[a-z0-9_]+]] = arith.minsi
  // CHECK: %[[UPD:[a-z0-9_]+]] = tensor.extract %arg2[%[[I]], %[[J]]] : tensor<2x2xi32>
  // CHECK-NOT: tensor.extract %[[T]]
  // CHECK: tensor.insert %[[UPD]] into %[[T]][%[[ROW]], %[[J]]] : tensor<3x5xi32>
  %0 = kiln.scatter_elements %d, %i, %u {axis = 0 : i64} : (tensor<3x5xi32>, tensor<2x2xi32>, tensor<2x2xi32>) -> tensor<3x5xi32>
  return %0 : tensor<3x5xi32>
}

// -----

// Reductions "mul", "max" and "min" on floats: mulf and the
// NaN-propagating compare-and-select max/min of old and update.
// CHECK-LABEL: func.func @scatter_elements_float_reductions
func.func @scatter_elements_float_reductions(%d: tensor<4xf32>, %i: tensor<2xi64>, %u: tensor<2xf32>)
    -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) {
  // CHECK: %[[OLD:[a-z0-9_]+]] = tensor.extract %{{.*}}[%{{.*}}] : tensor<4xf32>
  // CHECK: arith.mulf %[[OLD]], %{{.*}} : f32
  %0 = kiln.scatter_elements %d, %i, %u {axis = 0 : i64, reduction = "mul"} : (tensor<4xf32>, tensor<2xi64>, tensor<2xf32>) -> tensor<4xf32>
  // CHECK: %[[OLD1:[a-z0-9_]+]] = tensor.extract %{{.*}}[%{{.*}}] : tensor<4xf32>
  // CHECK: arith.cmpf ogt, %[[OLD1]], %{{.*}} : f32
  // CHECK: arith.cmpf uno, %[[OLD1]], %[[OLD1]] : f32
  %1 = kiln.scatter_elements %d, %i, %u {axis = 0 : i64, reduction = "max"} : (tensor<4xf32>, tensor<2xi64>, tensor<2xf32>) -> tensor<4xf32>
  // CHECK: %[[OLD2:[a-z0-9_]+]] = tensor.extract %{{.*}}[%{{.*}}] : tensor<4xf32>
  // CHECK: arith.cmpf olt, %[[OLD2]], %{{.*}} : f32
  // CHECK: arith.cmpf uno, %[[OLD2]], %[[OLD2]] : f32
  %2 = kiln.scatter_elements %d, %i, %u {axis = 0 : i64, reduction = "min"} : (tensor<4xf32>, tensor<2xi64>, tensor<2xf32>) -> tensor<4xf32>
  return %0, %1, %2 : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
}

// -----

// scatter_nd with one-component tuples: loops over the whole update shape
// (2x4x4); the tuple addresses dimension 0 (extent 4), the trailing loop
// indices the rest of the slice.
// CHECK-LABEL: func.func @scatter_nd_slices
func.func @scatter_nd_slices(%d: tensor<4x4x4xf32>, %i: tensor<2x1xi64>, %u: tensor<2x4x4xf32>) -> tensor<4x4x4xf32> {
  // CHECK: scf.for %[[A:[a-z0-9_]+]] = {{.*}} iter_args(%{{.*}} = %arg0) -> (tensor<4x4x4xf32>)
  // CHECK: scf.for %[[B:[a-z0-9_]+]] =
  // CHECK: scf.for %[[C:[a-z0-9_]+]] = {{.*}} iter_args(%[[T:[a-z0-9_]+]] = %{{.*}}) -> (tensor<4x4x4xf32>)
  // CHECK: %[[K0:[a-z0-9_]+]] = arith.constant 0 : index
  // CHECK: tensor.extract %arg1[%[[A]], %[[K0]]] : tensor<2x1xi64>
  // CHECK: %[[EXTENT:[a-z0-9_]+]] = arith.constant 4 : index
  // CHECK: %[[LAST:[a-z0-9_]+]] = arith.constant 3 : index
  // CHECK: arith.addi %{{.*}}, %[[EXTENT]] : index
  // CHECK: %[[P:[a-z0-9_]+]] = arith.minsi %{{.*}}, %[[LAST]] : index
  // CHECK: %[[UPD:[a-z0-9_]+]] = tensor.extract %arg2[%[[A]], %[[B]], %[[C]]] : tensor<2x4x4xf32>
  // CHECK: %[[OLD:[a-z0-9_]+]] = tensor.extract %[[T]][%[[P]], %[[B]], %[[C]]] : tensor<4x4x4xf32>
  // CHECK: %[[PROD:[a-z0-9_]+]] = arith.mulf %[[OLD]], %[[UPD]] : f32
  // CHECK: tensor.insert %[[PROD]] into %[[T]][%[[P]], %[[B]], %[[C]]] : tensor<4x4x4xf32>
  %0 = kiln.scatter_nd %d, %i, %u {reduction = "mul"} : (tensor<4x4x4xf32>, tensor<2x1xi64>, tensor<2x4x4xf32>) -> tensor<4x4x4xf32>
  return %0 : tensor<4x4x4xf32>
}

// -----

// scatter_nd with full index tuples (k = rank): one loop over the tuples;
// each component is normalized against its own data dimension (4, 5).
// Integer reductions are signed: maxsi, minsi, addi.
// CHECK-LABEL: func.func @scatter_nd_elements_int
func.func @scatter_nd_elements_int(%d: tensor<4x5xi64>, %i: tensor<3x2xi64>, %u: tensor<3xi64>)
    -> (tensor<4x5xi64>, tensor<4x5xi64>, tensor<4x5xi64>) {
  // CHECK: scf.for %[[N:[a-z0-9_]+]] = {{.*}} iter_args(%[[T:[a-z0-9_]+]] = %arg0) -> (tensor<4x5xi64>)
  // CHECK-NOT: scf.for
  // CHECK: %[[K0:[a-z0-9_]+]] = arith.constant 0 : index
  // CHECK: tensor.extract %arg1[%[[N]], %[[K0]]] : tensor<3x2xi64>
  // CHECK: %[[E0:[a-z0-9_]+]] = arith.constant 4 : index
  // CHECK: arith.addi %{{.*}}, %[[E0]] : index
  // CHECK: %[[ROW:[a-z0-9_]+]] = arith.minsi
  // CHECK: %[[K1:[a-z0-9_]+]] = arith.constant 1 : index
  // CHECK: tensor.extract %arg1[%[[N]], %[[K1]]] : tensor<3x2xi64>
  // CHECK: %[[E1:[a-z0-9_]+]] = arith.constant 5 : index
  // CHECK: arith.addi %{{.*}}, %[[E1]] : index
  // CHECK: %[[COL:[a-z0-9_]+]] = arith.minsi
  // CHECK: %[[UPD:[a-z0-9_]+]] = tensor.extract %arg2[%[[N]]] : tensor<3xi64>
  // CHECK: %[[OLD:[a-z0-9_]+]] = tensor.extract %[[T]][%[[ROW]], %[[COL]]] : tensor<4x5xi64>
  // CHECK: %[[MAX:[a-z0-9_]+]] = arith.maxsi %[[OLD]], %[[UPD]] : i64
  // CHECK: tensor.insert %[[MAX]] into %[[T]][%[[ROW]], %[[COL]]] : tensor<4x5xi64>
  %0 = kiln.scatter_nd %d, %i, %u {reduction = "max"} : (tensor<4x5xi64>, tensor<3x2xi64>, tensor<3xi64>) -> tensor<4x5xi64>
  // CHECK: arith.minsi %{{.*}}, %{{.*}} : i64
  %1 = kiln.scatter_nd %d, %i, %u {reduction = "min"} : (tensor<4x5xi64>, tensor<3x2xi64>, tensor<3xi64>) -> tensor<4x5xi64>
  // CHECK: arith.addi %{{.*}}, %{{.*}} : i64
  %2 = kiln.scatter_nd %d, %i, %u {reduction = "add"} : (tensor<4x5xi64>, tensor<3x2xi64>, tensor<3xi64>) -> tensor<4x5xi64>
  return %0, %1, %2 : tensor<4x5xi64>, tensor<4x5xi64>, tensor<4x5xi64>
}

// -----

// scatter_nd without a reduction overwrites: no read of the old value.
// CHECK-LABEL: func.func @scatter_nd_replace
func.func @scatter_nd_replace(%d: tensor<4x5xf32>, %i: tensor<3x1xi64>, %u: tensor<3x5xf32>) -> tensor<4x5xf32> {
  // CHECK: scf.for
  // CHECK: scf.for %{{.*}} iter_args(%[[T:[a-z0-9_]+]] = %{{.*}})
  // CHECK: %[[UPD:[a-z0-9_]+]] = tensor.extract %arg2
  // CHECK-NOT: tensor.extract %[[T]]
  // CHECK: tensor.insert %[[UPD]] into %[[T]]
  %0 = kiln.scatter_nd %d, %i, %u {reduction = "none"} : (tensor<4x5xf32>, tensor<3x1xi64>, tensor<3x5xf32>) -> tensor<4x5xf32>
  return %0 : tensor<4x5xf32>
}
