package pia

//go:generate go run ./gen -dir .
