func.func @main(%c: tensor<i1> {graph.name = "c"}, %x: tensor<?x4xf32> {graph.name = "x"}) -> tensor<?x4xf32> {
  %r = graph.if %c captures(%x : tensor<?x4xf32>) : tensor<i1> -> tensor<?x4xf32> then {
  ^bb0(%a: tensor<?x4xf32>):
    %n = graph.neg %a : (tensor<?x4xf32>) -> tensor<?x4xf32>
    graph.yield %n : tensor<?x4xf32>
  } else {
  ^bb0(%a: tensor<?x4xf32>):
    graph.yield %a : tensor<?x4xf32>
  }
  return %r : tensor<?x4xf32>
}
