package timeline

// OffsetText is offsetText, for the test that page.js writes offsets alike.
var OffsetText = offsetText
