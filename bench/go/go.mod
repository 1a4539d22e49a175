module fibertrace/bench

go 1.19
