func.func @mask(%x: tensor<4x2xi1> {graph.name = "x"}) -> tensor<4x2xi1> {
  %m = graph.constant dense<[[true, false], [false, true], [true, true], [false, false]]> : tensor<4x2xi1> loc("m")
  %y = graph.and %x, %m : (tensor<4x2xi1>, tensor<4x2xi1>) -> tensor<4x2xi1> loc("and")
  return %y : tensor<4x2xi1>
}
