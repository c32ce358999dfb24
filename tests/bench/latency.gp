# latency.gp - the latency-versus-N plot of `make bench` (doc/performance.md):
# one panel per shape, warm median latency by number of clouds, one line per
# engine, both axes logarithmic.  tests/bench/icx_bench.c writes the data
# (per shape a block: a header "N engine...", one column per engine that
# ran at all, then one row per N, "-" where an engine did not run) and calls
#   gnuplot -e "datafile='latency.dat'; outfile='bench-latency.svg'; shapes=5; engines=5" \
#     latency.gp
if (!exists("datafile")) datafile = 'latency.dat'
if (!exists("outfile")) outfile = 'bench-latency.svg'
if (!exists("shapes")) shapes = 5
if (!exists("engines")) engines = 6
set terminal svg size 1200,760 dynamic font "sans,11"
set output outfile
set datafile missing "-"
set logscale xy
set format x "10^{%L}"
set grid
set key top left font ",9"
set xlabel "clouds"
set ylabel "warm median, ms"
titles = "paper selective broad subsumption ranked"
set multiplot layout 2,3 title "icx and its peers: latency by number of clouds (make bench)"
do for [s=0:shapes-1] {
  set title word(titles, s + 1)
  plot for [e=2:engines+1] datafile index s using 1:e with linespoints title columnheader(e)
}
unset multiplot
