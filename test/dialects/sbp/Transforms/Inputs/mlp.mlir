func.func @mlp(%x: tensor<64x512xf32> {graph.name = "x"}) -> tensor<64x512xf32> {
  %w1 = graph.constant dense<0.5> : tensor<512x2048xf32> loc("w1")
  %w2 = graph.constant dense<0.25> : tensor<2048x512xf32> loc("w2")
  %h = graph.matmul %x, %w1 : (tensor<64x512xf32>, tensor<512x2048xf32>) -> tensor<64x2048xf32> loc("fc1")
  %r = graph.relu %h : (tensor<64x2048xf32>) -> tensor<64x2048xf32> loc("act")
  %y = graph.matmul %r, %w2 : (tensor<64x2048xf32>, tensor<2048x512xf32>) -> tensor<64x512xf32> loc("fc2")
  return %y : tensor<64x512xf32>
}
