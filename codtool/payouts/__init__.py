"""Shop payouts: five-day statements that pay each client shop the COD its customers paid, net of its fees."""
