// Package imaging scales pictures for the node: the thumbnails of uploads
// (handlers) and the local copies of partners' thumbnails (federation).
// It imports no HTTP and no store, so that both may use it.
//
// Every decode goes through a Decoder: the file's header is read first
// (ReadHeader) and a picture whose decoding would take more memory than
// the budget is refused before a pixel is decoded; decodes wait for one
// of the Decoder's few slots; the result is shrunk straight into the
// small target (ScaleToFit), never through a full-size copy.
package imaging
