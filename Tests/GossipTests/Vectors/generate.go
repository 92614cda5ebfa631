// Placeholder; replaced by the vector generator.
package main

func main() {}
