package main

import "github.com/shrooms-org/shrooms/internal/node"

// The tests name the node's types as they did when they lived here.
type (
	Main   = node.Main
	Config = node.Config
)
