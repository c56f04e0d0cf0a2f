Console.WriteLine("ponder");
