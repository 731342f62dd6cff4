func.func @bytes(%x: tensor<4x8xi8> {graph.name = "x"}) -> tensor<4x8xi8> {
  %y = graph.neg %x : (tensor<4x8xi8>) -> tensor<4x8xi8> loc("neg")
  return %y : tensor<4x8xi8> loc("out")
}
