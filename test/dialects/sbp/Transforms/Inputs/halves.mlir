func.func @halves(%x: tensor<4x8xf16> {graph.name = "x"}) -> tensor<4x8xf16> {
  %y = graph.neg %x : (tensor<4x8xf16>) -> tensor<4x8xf16> loc("neg")
  return %y : tensor<4x8xf16> loc("out")
}
