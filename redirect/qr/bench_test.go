package qr

import (
	"strconv"
	"testing"
)

// benchURL is a typical short link with the scan marker: version 3.
const benchURL = "https://go.example.com/spring26?qr=1"

func BenchmarkEncode(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Encode(benchURL); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPNG(b *testing.B) {
	for _, size := range []int{DefaultSize, 1024, MaxSize} {
		b.Run(strconv.Itoa(size), func(b *testing.B) {
			c := mustEncode(b, benchURL)
			b.ReportAllocs()
			var n int
			for b.Loop() {
				img, err := c.PNG(size)
				if err != nil {
					b.Fatal(err)
				}
				n = len(img)
			}
			b.ReportMetric(float64(n), "bytes/image")
		})
	}
}

func BenchmarkSVG(b *testing.B) {
	c := mustEncode(b, benchURL)
	b.ReportAllocs()
	var n int
	for b.Loop() {
		img, err := c.SVG(DefaultSize)
		if err != nil {
			b.Fatal(err)
		}
		n = len(img)
	}
	b.ReportMetric(float64(n), "bytes/image")
}
