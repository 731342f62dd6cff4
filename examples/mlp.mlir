// A small MLP classifier for 4x4 single-channel images, as the ONNX importer
// will produce it: a flatten (Reshape with [0, -1]), two Gemm layers with
// transposed weights and biases, a ReLU, and an exporter's leftovers (a
// scale by 1.0 and a second flatten) for the graph phase to clean up. The
// batch dim is symbolic. Weights are dense_resource blobs (seeded uniform
// random values).
//
// Run it through Loom's pipeline:
//   build/bin/loom-opt examples/mlp.mlir -p 'builtin.module(loom-compile)'

func.func @main_graph(%image: tensor<?x1x4x4xf32>) -> tensor<?x3xf32> {
  %w1 = graph.constant dense_resource<fc1.weight> : tensor<8x16xf32>
  %b1 = graph.constant dense_resource<fc1.bias> : tensor<8xf32>
  %w2 = graph.constant dense_resource<fc2.weight> : tensor<3x8xf32>
  %b2 = graph.constant dense_resource<fc2.bias> : tensor<3xf32>
  %flatten = graph.constant dense<[0, -1]> : tensor<2xi64>
  %scale = graph.constant dense<1.0> : tensor<1xf32>

  %x = graph.reshape %image, %flatten : (tensor<?x1x4x4xf32>, tensor<2xi64>) -> tensor<?x16xf32>
  %x2 = graph.reshape %x, %flatten : (tensor<?x16xf32>, tensor<2xi64>) -> tensor<?x16xf32>
  %h = graph.gemm %x2, %w1, %b1 {trans_b} : (tensor<?x16xf32>, tensor<8x16xf32>, tensor<8xf32>) -> tensor<?x8xf32>
  %a = graph.relu %h : (tensor<?x8xf32>) -> tensor<?x8xf32>
  %s = graph.mul %a, %scale : (tensor<?x8xf32>, tensor<1xf32>) -> tensor<?x8xf32>
  %logits = graph.gemm %s, %w2, %b2 {trans_b} : (tensor<?x8xf32>, tensor<3x8xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  return %logits : tensor<?x3xf32>
}

{-#
  dialect_resources: {
    builtin: {
      fc1.weight: "0x04000000236E303E67217BBEFDE2C1BC4C9702BE37106DBE688853BD75F8AC3D2B8F073E16CC40BEEE42623E7863C2BCEAB3003E53FB3D3EB5ED4D3E75CA893D3D5BC1BD8A018E3DCC1BF83D601773BE3F4CDCBD5468E63DF879063DAFED763D5E5604BE35C504BD8134783EDF060F3E824384BD420ACA3D3D75013E4358123ECF0976BEDFB8003EC897B3BD1CDD6F3D6FBCF2BC0C6F98BC646FD13DB8E632BE5BF52FBDF2651ABE48A1FEBC36B9603D8037593E5778F33D760D793E9F32C9BDDA005BBE94B042BEB1FDB13D8400493E6F092D3E8A689F3C0162213DE251BDBDA4E77F3E967FC93D8A22EEBC83C58ABCEFFC563E7AB170BEDB2C76BE65345ABEF56ABFBDB62F7C3E8A86FEBD0828E93B71E488BD42B51D3EEDBC24BD6C8F5CBE24E7C33D266A91BDF76938BDC9ED10BC2508D03DF69861BEB421223ED6A9C03C9D7A45BE1241803D8B100A3EF2940EBE8D8EE4BD782CB1BD24787DBE933DA93D3BE3523D76EF00BE687866BE0141033D36275F3D388873BEA71F1E3D473946BB3A794ABE4A8B6CBE6AAA273E7372973DC9C0573E05B7883D4E761CBEEB14453DD3041A3D593F683ECA90223EEEA94FBEEA046DBE26E7CF3D84B91CBE586C72BDB4BF2EBEA8DE343E73FC743CE12E463DCDAAE23D5E7FF93CED77333E31C661BDC8BC21BD72307CBC71262CBD7B39313E4E2F503E1775B8BDD5AC8B3D52EE153EBC4F4D3E",
      fc1.bias: "0x040000009E4DB03C7BF53D3DF059683D621C9D3DF3B7113D3A9A99BD55A8073DF544B33D",
      fc2.weight: "0x0400000054AFA0BE07004D3D6F9130BD9A63143DE00860BD10DC143D5B542B3C39B6753E3338D6BDD470453D7EEA35BEF7CE293C4A08A4BB9EF201BE66352B3E2653B83D9C046B3DAAB9B9BBE679693E45B22B3EC3ADACBD3E35733E34DA30BDCB267A3D",
      fc2.bias: "0x0400000039404B3D728671BDFB60C4BD"
    }
  }
#-}
