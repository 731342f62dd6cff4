// Every elementwise graph op prints and parses back, in the custom and the
// generic form.
// RUN: loom-opt %s --verify-roundtrip | FileCheck %s
// RUN: loom-opt %s --mlir-print-op-generic | loom-opt | FileCheck %s

// CHECK-LABEL: func.func @unary_float
func.func @unary_float(%x: tensor<?x4xf32>) {
  // CHECK: graph.acos %{{.*}} : (tensor<?x4xf32>) -> tensor<?x4xf32>
  %acos = graph.acos %x : (tensor<?x4xf32>) -> tensor<?x4xf32>
  // CHECK: graph.acosh %{{.*}} : (tensor<?x4xf32>) -> tensor<?x4xf32>
  %acosh = graph.acosh %x : (tensor<?x4xf32>) -> tensor<?x4xf32>
  // CHECK: graph.asin %{{.*}} : (tensor<?x4xf32>) -> tensor<?x4xf32>
  %asin = graph.asin %x : (tensor<?x4xf32>) -> tensor<?x4xf32>
  // CHECK: graph.asinh %{{.*}} : (tensor<?x4xf32>) -> tensor<?x4xf32>
  %asinh = graph.asinh %x : (tensor<?x4xf32>) -> tensor<?x4xf32>
  // CHECK: graph.atan %{{.*}} : (tensor<?x4xf32>) -> tensor<?x4xf32>
  %atan = graph.atan %x : (tensor<?x4xf32>) -> tensor<?x4xf32>
  // CHECK: graph.atanh %{{.*}} : (tensor<?x4xf32>) -> tensor<?x4xf32>
  %atanh = graph.atanh %x : (tensor<?x4xf32>) -> tensor<?x4xf32>
  // CHECK: graph.ceil %{{.*}} : (tensor<?x4xf32>) -> tensor<?x4xf32>
  %ceil = graph.ceil %x : (tensor<?x4xf32>) -> tensor<?x4xf32>
  // CHECK: graph.cos %{{.*}} : (tensor<?x4xf32>) -> tensor<?x4xf32>
  %cos = graph.cos %x : (tensor<?x4xf32>) -> tensor<?x4xf32>
  // CHECK: graph.cosh %{{.*}} : (tensor<?x4xf32>) -> tensor<?x4xf32>
  %cosh = graph.cosh %x : (tensor<?x4xf32>) -> tensor<?x4xf32>
  // CHECK: graph.erf %{{.*}} : (tensor<?x4xf32>) -> tensor<?x4xf32>
  %erf = graph.erf %x : (tensor<?x4xf32>) -> tensor<?x4xf32>
  // CHECK: graph.exp %{{.*}} : (tensor<?x4xf32>) -> tensor<?x4xf32>
  %exp = graph.exp %x : (tensor<?x4xf32>) -> tensor<?x4xf32>
  // CHECK: graph.floor %{{.*}} : (tensor<?x4xf32>) -> tensor<?x4xf32>
  %floor = graph.floor %x : (tensor<?x4xf32>) -> tensor<?x4xf32>
  // CHECK: graph.hard_swish %{{.*}} : (tensor<?x4xf32>) -> tensor<?x4xf32>
  %hard_swish = graph.hard_swish %x : (tensor<?x4xf32>) -> tensor<?x4xf32>
  // CHECK: graph.log %{{.*}} : (tensor<?x4xf32>) -> tensor<?x4xf32>
  %log = graph.log %x : (tensor<?x4xf32>) -> tensor<?x4xf32>
  // CHECK: graph.reciprocal %{{.*}} : (tensor<?x4xf32>) -> tensor<?x4xf32>
  %reciprocal = graph.reciprocal %x : (tensor<?x4xf32>) -> tensor<?x4xf32>
  // CHECK: graph.round %{{.*}} : (tensor<?x4xf32>) -> tensor<?x4xf32>
  %round = graph.round %x : (tensor<?x4xf32>) -> tensor<?x4xf32>
  // CHECK: graph.sigmoid %{{.*}} : (tensor<?x4xf32>) -> tensor<?x4xf32>
  %sigmoid = graph.sigmoid %x : (tensor<?x4xf32>) -> tensor<?x4xf32>
  // CHECK: graph.sin %{{.*}} : (tensor<?x4xf32>) -> tensor<?x4xf32>
  %sin = graph.sin %x : (tensor<?x4xf32>) -> tensor<?x4xf32>
  // CHECK: graph.sinh %{{.*}} : (tensor<?x4xf32>) -> tensor<?x4xf32>
  %sinh = graph.sinh %x : (tensor<?x4xf32>) -> tensor<?x4xf32>
  // CHECK: graph.softplus %{{.*}} : (tensor<?x4xf32>) -> tensor<?x4xf32>
  %softplus = graph.softplus %x : (tensor<?x4xf32>) -> tensor<?x4xf32>
  // CHECK: graph.softsign %{{.*}} : (tensor<?x4xf32>) -> tensor<?x4xf32>
  %softsign = graph.softsign %x : (tensor<?x4xf32>) -> tensor<?x4xf32>
  // CHECK: graph.sqrt %{{.*}} : (tensor<?x4xf32>) -> tensor<?x4xf32>
  %sqrt = graph.sqrt %x : (tensor<?x4xf32>) -> tensor<?x4xf32>
  // CHECK: graph.tan %{{.*}} : (tensor<?x4xf32>) -> tensor<?x4xf32>
  %tan = graph.tan %x : (tensor<?x4xf32>) -> tensor<?x4xf32>
  // CHECK: graph.tanh %{{.*}} : (tensor<?x4xf32>) -> tensor<?x4xf32>
  %tanh = graph.tanh %x : (tensor<?x4xf32>) -> tensor<?x4xf32>
  return
}

// CHECK-LABEL: func.func @unary_other
func.func @unary_other(%i: tensor<3xi32>, %u: tensor<3xui8>, %b: tensor<*xi1>, %f: tensor<2x2xf16>) {
  // CHECK: graph.abs %{{.*}} : (tensor<3xui8>) -> tensor<3xui8>
  %abs = graph.abs %u : (tensor<3xui8>) -> tensor<3xui8>
  // CHECK: graph.neg %{{.*}} : (tensor<3xi32>) -> tensor<3xi32>
  %neg = graph.neg %i : (tensor<3xi32>) -> tensor<3xi32>
  // CHECK: graph.sign %{{.*}} : (tensor<3xi32>) -> tensor<3xi32>
  %sign = graph.sign %i : (tensor<3xi32>) -> tensor<3xi32>
  // CHECK: graph.not %{{.*}} : (tensor<*xi1>) -> tensor<*xi1>
  %not = graph.not %b : (tensor<*xi1>) -> tensor<*xi1>
  // CHECK: graph.is_nan %{{.*}} : (tensor<2x2xf16>) -> tensor<2x2xi1>
  %nan = graph.is_nan %f : (tensor<2x2xf16>) -> tensor<2x2xi1>
  // CHECK: graph.is_inf %{{.*}} {detect_negative = false} : (tensor<2x2xf16>) -> tensor<2x2xi1>
  %inf = graph.is_inf %f {detect_negative = false} : (tensor<2x2xf16>) -> tensor<2x2xi1>
  // CHECK: graph.cast %{{.*}} {to = f32} : (tensor<3xi32>) -> tensor<3xf32>
  %cast = graph.cast %i {to = f32} : (tensor<3xi32>) -> tensor<3xf32>
  return
}

// CHECK-LABEL: func.func @activations
func.func @activations(%x: tensor<8xf32>, %lo: tensor<f32>) {
  // CHECK: graph.elu %{{.*}} {alpha = 5.000000e-01 : f32}
  %elu = graph.elu %x {alpha = 0.5 : f32} : (tensor<8xf32>) -> tensor<8xf32>
  // CHECK: graph.celu %{{.*}} : (tensor<8xf32>) -> tensor<8xf32>
  %celu = graph.celu %x : (tensor<8xf32>) -> tensor<8xf32>
  // CHECK: graph.leaky_relu %{{.*}} {alpha = 1.000000e-01 : f32}
  %leaky = graph.leaky_relu %x {alpha = 0.1 : f32} : (tensor<8xf32>) -> tensor<8xf32>
  // CHECK: graph.thresholded_relu %{{.*}} : (tensor<8xf32>) -> tensor<8xf32>
  %thr = graph.thresholded_relu %x : (tensor<8xf32>) -> tensor<8xf32>
  // CHECK: graph.selu %{{.*}} {gamma = 2.000000e+00 : f32}
  %selu = graph.selu %x {gamma = 2.0 : f32} : (tensor<8xf32>) -> tensor<8xf32>
  // CHECK: graph.hard_sigmoid %{{.*}} {beta = 0.000000e+00 : f32}
  %hs = graph.hard_sigmoid %x {beta = 0.0 : f32} : (tensor<8xf32>) -> tensor<8xf32>
  // CHECK: graph.shrink %{{.*}} {bias = 1.000000e+00 : f32}
  %shrink = graph.shrink %x {bias = 1.0 : f32} : (tensor<8xf32>) -> tensor<8xf32>
  // CHECK: graph.clip %{{.*}} min %{{.*}} : (tensor<8xf32>, tensor<f32>) -> tensor<8xf32>
  %clip1 = graph.clip %x min %lo : (tensor<8xf32>, tensor<f32>) -> tensor<8xf32>
  // CHECK: graph.clip %{{.*}} min %{{.*}} max %{{.*}} : (tensor<8xf32>, tensor<f32>, tensor<f32>) -> tensor<8xf32>
  %clip2 = graph.clip %x min %lo max %lo : (tensor<8xf32>, tensor<f32>, tensor<f32>) -> tensor<8xf32>
  // CHECK: graph.clip %{{.*}} max %{{.*}} : (tensor<8xf32>, tensor<f32>) -> tensor<8xf32>
  %clip3 = graph.clip %x max %lo : (tensor<8xf32>, tensor<f32>) -> tensor<8xf32>
  return
}

// CHECK-LABEL: func.func @binary
func.func @binary(%a: tensor<2x1xf32>, %b: tensor<3xf32>, %i: tensor<4xi64>, %u: tensor<4xui32>, %p: tensor<2x3xi1>, %q: tensor<3xi1>) {
  // CHECK: graph.sub %{{.*}}, %{{.*}} : (tensor<2x1xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %sub = graph.sub %a, %b : (tensor<2x1xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  // CHECK: graph.div %{{.*}}, %{{.*}} : (tensor<2x1xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %div = graph.div %a, %b : (tensor<2x1xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  // CHECK: graph.max %{{.*}}, %{{.*}} : (tensor<2x1xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %max = graph.max %a, %b : (tensor<2x1xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  // CHECK: graph.min %{{.*}}, %{{.*}} : (tensor<2x1xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %min = graph.min %a, %b : (tensor<2x1xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  // CHECK: graph.pow %{{.*}}, %{{.*}} : (tensor<2x1xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %pow = graph.pow %a, %b : (tensor<2x1xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  // CHECK: graph.prelu %{{.*}}, %{{.*}} : (tensor<2x1xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %prelu = graph.prelu %a, %b : (tensor<2x1xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  // CHECK: graph.mod %{{.*}}, %{{.*}} {fmod} : (tensor<2x1xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %fmod = graph.mod %a, %b {fmod} : (tensor<2x1xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  // CHECK: graph.mod %{{.*}}, %{{.*}} : (tensor<4xi64>, tensor<4xi64>) -> tensor<4xi64>
  %mod = graph.mod %i, %i : (tensor<4xi64>, tensor<4xi64>) -> tensor<4xi64>
  // CHECK: graph.pow %{{.*}}, %{{.*}} : (tensor<2x1xf32>, tensor<4xi64>) -> tensor<2x4xf32>
  %powi = graph.pow %a, %i : (tensor<2x1xf32>, tensor<4xi64>) -> tensor<2x4xf32>
  // CHECK: graph.shift_left %{{.*}}, %{{.*}} : (tensor<4xui32>, tensor<4xui32>) -> tensor<4xui32>
  %shift_left = graph.shift_left %u, %u : (tensor<4xui32>, tensor<4xui32>) -> tensor<4xui32>
  // CHECK: graph.shift_right %{{.*}}, %{{.*}} : (tensor<4xui32>, tensor<4xui32>) -> tensor<4xui32>
  %shift_right = graph.shift_right %u, %u : (tensor<4xui32>, tensor<4xui32>) -> tensor<4xui32>
  // CHECK: graph.and %{{.*}}, %{{.*}} : (tensor<2x3xi1>, tensor<3xi1>) -> tensor<2x3xi1>
  %and = graph.and %p, %q : (tensor<2x3xi1>, tensor<3xi1>) -> tensor<2x3xi1>
  // CHECK: graph.or %{{.*}}, %{{.*}} : (tensor<2x3xi1>, tensor<3xi1>) -> tensor<2x3xi1>
  %or = graph.or %p, %q : (tensor<2x3xi1>, tensor<3xi1>) -> tensor<2x3xi1>
  // CHECK: graph.xor %{{.*}}, %{{.*}} : (tensor<2x3xi1>, tensor<3xi1>) -> tensor<2x3xi1>
  %xor = graph.xor %p, %q : (tensor<2x3xi1>, tensor<3xi1>) -> tensor<2x3xi1>
  // CHECK: graph.equal %{{.*}}, %{{.*}} : (tensor<2x1xf32>, tensor<3xf32>) -> tensor<2x3xi1>
  %equal = graph.equal %a, %b : (tensor<2x1xf32>, tensor<3xf32>) -> tensor<2x3xi1>
  // CHECK: graph.less %{{.*}}, %{{.*}} : (tensor<2x1xf32>, tensor<3xf32>) -> tensor<2x3xi1>
  %less = graph.less %a, %b : (tensor<2x1xf32>, tensor<3xf32>) -> tensor<2x3xi1>
  // CHECK: graph.less_equal %{{.*}}, %{{.*}} : (tensor<2x1xf32>, tensor<3xf32>) -> tensor<2x3xi1>
  %less_equal = graph.less_equal %a, %b : (tensor<2x1xf32>, tensor<3xf32>) -> tensor<2x3xi1>
  // CHECK: graph.greater %{{.*}}, %{{.*}} : (tensor<2x1xf32>, tensor<3xf32>) -> tensor<2x3xi1>
  %greater = graph.greater %a, %b : (tensor<2x1xf32>, tensor<3xf32>) -> tensor<2x3xi1>
  // CHECK: graph.greater_equal %{{.*}}, %{{.*}} : (tensor<2x1xf32>, tensor<3xf32>) -> tensor<2x3xi1>
  %greater_equal = graph.greater_equal %a, %b : (tensor<2x1xf32>, tensor<3xf32>) -> tensor<2x3xi1>
  // CHECK: graph.equal %{{.*}}, %{{.*}} : (tensor<2x3xi1>, tensor<3xi1>) -> tensor<2x3xi1>
  %beq = graph.equal %p, %q : (tensor<2x3xi1>, tensor<3xi1>) -> tensor<2x3xi1>
  // CHECK: graph.where %{{.*}}, %{{.*}}, %{{.*}} : (tensor<2x3xi1>, tensor<2x1xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %where = graph.where %p, %a, %b : (tensor<2x3xi1>, tensor<2x1xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  return
}
