"""``function`` problems in C++, Java, JavaScript, Go and Rust through the real pipeline.

A harness generated from the problem's signature reads the test's JSON arguments, calls the
solution and writes the JSON of its return value on fd 3; the value is compared outside the
sandbox as for Python. Every language gets right, wrong, crashing, hanging and
non-compiling solutions, a method of ``Solution`` and a free function, the argument types
LeetCode uses (nested lists, strings with escapes and non-ASCII characters, negative and
64-bit integers, doubles within and outside the tolerance, booleans, characters), and
programs that print a fake result on stdout or write one on fd 3 before returning a wrong
value (never AC). Signatures are given in each language's own syntax and in other
languages' (mapped), as a per-language JSON object and as LiveCodeBench's Python starter.
"""

from __future__ import annotations

import json

import pytest

from conftest import in_ci
from pipeline import score
from pipeline.sandbox import Limits, Program, Record, RecordKind
from pipeline.sandbox.languages.function import arguments, record, signature_for
from pipeline.sandbox.languages.function.signature import Unsupported, parse, spell
from pipeline.sandbox.values import Outcome, Status

LANGS = ["cpp", "java", "javascript", "go", "rust"]

WORDS = ["a\"b", "c\\d", "e\nf", "\t", "é", "😀", "中文", ""]
MIX_IN = [[[1, -2, 3], [], [2147483647]], -4503599627370496, WORDS, "-",
          [1e-07, -2500.0, 0.0, 3.25, 1e300], [True, False, True]]
MIX_OUT = ["-".join(WORDS), str(2147483649 - 4503599627370496), "2", "3"]
BIG = 9223372036854775807

PROBLEMS = {
    # A C++ signature, mapped to every other language (int[], []int, Vec<i32>).
    "twoSum": ("vector<int> twoSum(vector<int>& nums, int target)", None, [
        ([[2, 7, 11, 15], 9], [0, 1]),
        ({"nums": [3, 2, 4], "target": 6}, [1, 2]),           # keyword arguments
        ([[-3, 4, 3, 90], 0], [0, 2])]),
    # Each language's own signature: Java's List<List<Integer>>, Go's byte, JavaScript's
    # names only.
    "mix": (json.dumps({
        "cpp": "vector<string> mix(vector<vector<int>>& grid, long long big, "
               "vector<string>& words, char sep, vector<double>& xs, vector<bool>& flags)",
        "java": "public String[] mix(List<List<Integer>> grid, long big, String[] words, "
                "char sep, double[] xs, boolean[] flags)",
        "go": "func mix(grid [][]int, big int64, words []string, sep byte, xs []float64, "
              "flags []bool) []string",
        "rust": "pub fn mix(grid: Vec<Vec<i32>>, big: i64, words: Vec<String>, sep: char, "
                "xs: Vec<f64>, flags: Vec<bool>) -> Vec<String>",
        "javascript": "var mix = function(grid, big, words, sep, xs, flags) {"}), None, [
        (MIX_IN, MIX_OUT),
        ([[[-2147483648]], 0, [], "x", [], []], ["", "-2147483648", "0", "0"])]),
    # LiveCodeBench's Python starter code: float is a double.
    "mean": ("class Solution:\n    def mean(self, xs: List[float]) -> float:\n        ",
             "float:1e-6", [
                 ([[1, 2, 4]], 2.3333333),                   # within 1e-6 of 7/3
                 ([[1e-07, -1e-07, 300000.0]], 100000.0000001),
                 ([[-0.5]], -0.5)]),
    "board": ("public char[][] board(int rows, int cols, char c)", None, [
        ([2, 3, "#"], [["#"] * 3] * 2), ([0, 4, "x"], []), ([1, 1, '"'], [['"']]),
        ([1, 2, "\\"], [["\\", "\\"]])]),
    "total": ("func total(a [][]int64, neg bool) int64", None, [
        ([[[1, 2], [-3]], False], 0), ([[[5], [-7]], True], 2),
        ([[[BIG - 807], [807]], False], BIG),
        ([[[-BIG, -1]], False], -BIG - 1),
        ([[[9007199254740993]], True], -9007199254740993)]),
    # Rust's snake_case name and i64 for every language.
    "isEven": ("pub fn is_even(x: i64) -> bool", None, [
        ([-4], True), ([7], False), ([-BIG - 1], True)]),
}
# Tests whose arguments JavaScript's numbers cannot hold exactly: SE there, not a verdict.
JS_UNFIT = {("total", 2), ("total", 3), ("total", 4), ("isEven", 2)}

SOLUTIONS = {
    "cpp": {
        "twoSum": {
            "method": "class Solution {\npublic:\n    vector<int> twoSum(vector<int>& nums, int target) {\n"
                      "        unordered_map<int, int> seen;\n"
                      "        for (int i = 0; i < (int)nums.size(); ++i) {\n"
                      "            auto it = seen.find(target - nums[i]);\n"
                      "            if (it != seen.end()) return {it->second, i};\n"
                      "            seen[nums[i]] = i;\n        }\n        return {};\n    }\n};\n",
            "free": "#include <vector>\nstd::vector<int> twoSum(std::vector<int>& nums, int target) {\n"
                    "    for (int i = 0; i < (int)nums.size(); ++i)\n"
                    "        for (int j = i + 1; j < (int)nums.size(); ++j)\n"
                    "            if (nums[i] + nums[j] == target) return {i, j};\n    return {};\n}\n"
                    "int main() { std::vector<int> v{1, 2}; return twoSum(v, 3).size() == 2 ? 0 : 1; }\n",
            "wrong": "class Solution {\npublic:\n    vector<int> twoSum(vector<int>& nums, int target) {\n"
                     "        cout << \"[0, 1]\" << endl;          // the right answer, on stdout\n"
                     "        return {0, 0};\n    }\n};\n",
            "crash": "class Solution {\npublic:\n    vector<int> twoSum(vector<int>& nums, int target) {\n"
                     "        return {nums.at(1000), 0};\n    }\n};\n",
            "hang": "class Solution {\npublic:\n    vector<int> twoSum(vector<int>& nums, int target) {\n"
                    "        volatile long x = 0;\n        for (;;) ++x;\n    }\n};\n",
            "ce": "class Solution {\npublic:\n    vector<int> twoSum(vector<int>& nums, int target) {\n"
                  "        return nums.size() +;\n    }\n};\n",
            "fd3": "#include <fcntl.h>\nclass Solution {\npublic:\n"
                   "    vector<int> twoSum(vector<int>& nums, int target) {\n"
                   "        write(3, \"[0,1]\\n\", 6);\n"
                   "        int fd = open(\"/proc/self/fd/3\", O_WRONLY);\n"
                   "        write(fd, \"[1,2]\\n\", 6);\n        close(fd);\n"
                   "        return {};\n    }\n};\n",
        },
        "mix": {
            "right": "class Solution {\npublic:\n    vector<string> mix(vector<vector<int>>& grid, long long big,"
                     " vector<string>& words, char sep, vector<double>& xs, vector<bool>& flags) {\n"
                     "        string joined;\n"
                     "        for (size_t i = 0; i < words.size(); ++i) { if (i) joined += sep; joined += words[i]; }\n"
                     "        long long total = big;\n"
                     "        for (auto& row : grid) for (int x : row) total += x;\n"
                     "        int on = 0, positive = 0;\n"
                     "        for (bool f : flags) on += f;\n"
                     "        for (double x : xs) positive += x > 0;\n"
                     "        return {joined, to_string(total), to_string(on), to_string(positive)};\n"
                     "    }\n};\n",
        },
        "mean": {"right": "class Solution {\npublic:\n    double mean(vector<double>& xs) {\n"
                          "        double s = 0;\n        for (double x : xs) s += x;\n"
                          "        return s / xs.size();\n    }\n};\n"},
        "board": {"right": "class Solution {\npublic:\n    vector<vector<char>> board(int rows, int cols, char c) {\n"
                           "        return vector<vector<char>>(rows, vector<char>(cols, c));\n    }\n};\n"},
        "total": {"right": "long long total(vector<vector<long long>>& a, bool neg) {\n"
                           "    long long s = 0;\n    for (auto& r : a) for (long long x : r) s += x;\n"
                           "    return neg ? -s : s;\n}\n"},
        "isEven": {"right": "class Solution {\npublic:\n    bool isEven(long long x) { return x % 2 == 0; }\n};\n"},
    },
    "java": {
        "twoSum": {
            "method": "class Solution {\n    public int[] twoSum(int[] nums, int target) {\n"
                      "        Map<Integer, Integer> seen = new HashMap<>();\n"
                      "        for (int i = 0; i < nums.length; i++) {\n"
                      "            Integer j = seen.get(target - nums[i]);\n"
                      "            if (j != null) return new int[]{j, i};\n"
                      "            seen.put(nums[i], i);\n        }\n        return new int[0];\n    }\n}\n",
            "free": "public class Solution {\n    public static int[] twoSum(int[] nums, int target) {\n"
                    "        for (int i = 0; i < nums.length; i++)\n"
                    "            for (int j = i + 1; j < nums.length; j++)\n"
                    "                if (nums[i] + nums[j] == target) return new int[]{i, j};\n"
                    "        return null;\n    }\n"
                    "    public static void main(String[] args) { System.out.println(\"demo\"); }\n}\n",
            "wrong": "class Solution {\n    public int[] twoSum(int[] nums, int target) {\n"
                     "        System.out.println(\"[0, 1]\");\n        return new int[]{0, 0};\n    }\n}\n",
            "crash": "class Solution {\n    public int[] twoSum(int[] nums, int target) {\n"
                     "        return new int[]{nums[1000]};\n    }\n}\n",
            "hang": "class Solution {\n    public int[] twoSum(int[] nums, int target) {\n"
                    "        long x = 0;\n        while (true) x += nums.length;\n    }\n}\n",
            "ce": "class Solution {\n    public int[] twoSum(int[] nums, int target) {\n"
                  "        return nums.length;\n    }\n}\n",
            "fd3": "class Solution {\n    public int[] twoSum(int[] nums, int target) {\n"
                   "        try (java.io.FileOutputStream o = new java.io.FileOutputStream(\"/proc/self/fd/3\")) {\n"
                   "            o.write(\"[0,1]\\n\".getBytes());\n"
                   "        } catch (java.io.IOException e) {\n            throw new RuntimeException(e);\n        }\n"
                   "        return new int[0];\n    }\n}\n",
        },
        "mix": {
            "right": "class Solution {\n    public String[] mix(List<List<Integer>> grid, long big, String[] words,"
                     " char sep, double[] xs, boolean[] flags) {\n"
                     "        long total = big;\n"
                     "        for (List<Integer> row : grid) for (int x : row) total += x;\n"
                     "        int on = 0, positive = 0;\n"
                     "        for (boolean f : flags) if (f) on++;\n"
                     "        for (double x : xs) if (x > 0) positive++;\n"
                     "        return new String[]{String.join(String.valueOf(sep), words), Long.toString(total),"
                     " Integer.toString(on), Integer.toString(positive)};\n    }\n}\n",
        },
        "mean": {"right": "class Solution {\n    public double mean(double[] xs) {\n"
                          "        return Arrays.stream(xs).sum() / xs.length;\n    }\n}\n"},
        "board": {"right": "class Solution {\n    public char[][] board(int rows, int cols, char c) {\n"
                           "        char[][] b = new char[rows][cols];\n"
                           "        for (char[] r : b) Arrays.fill(r, c);\n        return b;\n    }\n}\n"},
        "total": {"right": "class Solution {\n    public long total(long[][] a, boolean neg) {\n"
                           "        long s = 0;\n        for (long[] r : a) for (long x : r) s += x;\n"
                           "        return neg ? -s : s;\n    }\n}\n"},
        "isEven": {"right": "class Solution {\n    public boolean isEven(long x) { return x % 2 == 0; }\n}\n"},
    },
    "javascript": {
        "twoSum": {
            "method": "class Solution {\n  twoSum(nums, target) {\n    const seen = new Map();\n"
                      "    for (let i = 0; i < nums.length; i++) {\n"
                      "      if (seen.has(target - nums[i])) return [seen.get(target - nums[i]), i];\n"
                      "      seen.set(nums[i], i);\n    }\n    return [];\n  }\n}\n",
            "free": "/**\n * @param {number[]} nums\n * @return {number[]}\n */\n"
                    "var twoSum = function(nums, target) {\n"
                    "  for (let i = 0; i < nums.length; i++)\n"
                    "    for (let j = i + 1; j < nums.length; j++)\n"
                    "      if (nums[i] + nums[j] === target) return [i, j];\n};\n"
                    "console.log(twoSum([1, 2], 3));\n",
            "wrong": "var twoSum = function(nums, target) {\n  console.log('[0, 1]');\n"
                     "  JSON.stringify = () => '[0, 1]';\n  return [0, 0];\n};\n",
            "crash": "var twoSum = function(nums, target) {\n  return nums.missing.length;\n};\n",
            "hang": "var twoSum = function(nums, target) {\n  for (;;) {}\n};\n",
            "ce": "var twoSum = function(nums, target) {\n  return [0, 1;\n};\n",
            "fd3": "const fs = require('fs');\nvar twoSum = function(nums, target) {\n"
                   "  fs.writeSync(3, '[0,1]\\n');\n  return [];\n};\n",
        },
        "mix": {"right": "var mix = function(grid, big, words, sep, xs, flags) {\n"
                         "  let total = big;\n  for (const row of grid) for (const x of row) total += x;\n"
                         "  return [words.join(sep), String(total), String(flags.filter(Boolean).length),\n"
                         "          String(xs.filter((x) => x > 0).length)];\n};\n"},
        "mean": {"right": "var mean = function(xs) {\n  return xs.reduce((a, b) => a + b, 0) / xs.length;\n};\n"},
        "board": {"right": "var board = function(rows, cols, c) {\n"
                           "  return Array.from({length: rows}, () => Array(cols).fill(c));\n};\n"},
        "total": {"right": "var total = function(a, neg) {\n  let s = 0;\n"
                           "  for (const r of a) for (const x of r) s += x;\n  return neg ? -s : s;\n};\n"},
        "isEven": {"right": "var isEven = function(x) {\n  return x % 2 === 0;\n};\n"},
    },
    "go": {
        "twoSum": {
            "method": "type Solution struct{ calls int }\n\n"
                      "func (s *Solution) twoSum(nums []int, target int) []int {\n"
                      "\ts.calls++\n\tseen := map[int]int{}\n"
                      "\tfor i, x := range nums {\n"
                      "\t\tif j, ok := seen[target-x]; ok && s.calls == 1 {\n\t\t\treturn []int{j, i}\n\t\t}\n"
                      "\t\tseen[x] = i\n\t}\n\treturn nil\n}\n",
            "free": "package main\n\nimport \"fmt\"\n\nfunc twoSum(nums []int, target int) []int {\n"
                    "\tfor i := range nums {\n\t\tfor j := i + 1; j < len(nums); j++ {\n"
                    "\t\t\tif nums[i]+nums[j] == target {\n\t\t\t\treturn []int{i, j}\n\t\t\t}\n\t\t}\n\t}\n"
                    "\treturn nil\n}\n\nfunc main() {\n\tfmt.Println(twoSum([]int{1, 2}, 3))\n}\n",
            "wrong": "import \"fmt\"\n\nfunc twoSum(nums []int, target int) []int {\n"
                     "\tfmt.Println(\"[0, 1]\")\n\treturn []int{0, 0}\n}\n",
            "crash": "func twoSum(nums []int, target int) []int {\n\treturn []int{nums[1000]}\n}\n",
            "hang": "func twoSum(nums []int, target int) []int {\n\tfor {\n\t\tif len(nums) < 0 {\n"
                    "\t\t\treturn nil\n\t\t}\n\t}\n}\n",
            "ce": "func twoSum(nums []int, target int) []int {\n\treturn len(nums)\n}\n",
            "fd3": "import \"os\"\n\nvar fake = os.NewFile(3, \"fake\")\n\n"
                   "func twoSum(nums []int, target int) []int {\n"
                   "\tfake.Write([]byte(\"[0,1]\\n\"))\n\treturn []int{}\n}\n",
        },
        "mix": {"right": "import (\n\t\"strconv\"\n\t\"strings\"\n)\n\n"
                         "func mix(grid [][]int, big int64, words []string, sep byte, xs []float64, flags []bool) []string {\n"
                         "\ttotal := big\n\tfor _, row := range grid {\n\t\tfor _, x := range row {\n"
                         "\t\t\ttotal += int64(x)\n\t\t}\n\t}\n\ton, positive := 0, 0\n"
                         "\tfor _, f := range flags {\n\t\tif f {\n\t\t\ton++\n\t\t}\n\t}\n"
                         "\tfor _, x := range xs {\n\t\tif x > 0 {\n\t\t\tpositive++\n\t\t}\n\t}\n"
                         "\treturn []string{strings.Join(words, string(sep)), strconv.FormatInt(total, 10),"
                         " strconv.Itoa(on), strconv.Itoa(positive)}\n}\n"},
        "mean": {"right": "func mean(xs []float64) float64 {\n\ts := 0.0\n"
                          "\tfor _, x := range xs {\n\t\ts += x\n\t}\n\treturn s / float64(len(xs))\n}\n"},
        "board": {"right": "func board(rows int, cols int, c byte) [][]byte {\n\tb := make([][]byte, rows)\n"
                           "\tfor i := range b {\n\t\tb[i] = make([]byte, cols)\n"
                           "\t\tfor j := range b[i] {\n\t\t\tb[i][j] = c\n\t\t}\n\t}\n\treturn b\n}\n"},
        "total": {"right": "func total(a [][]int64, neg bool) int64 {\n\tvar s int64\n"
                           "\tfor _, r := range a {\n\t\tfor _, x := range r {\n\t\t\ts += x\n\t\t}\n\t}\n"
                           "\tif neg {\n\t\treturn -s\n\t}\n\treturn s\n}\n"},
        "isEven": {"right": "func isEven(x int64) bool {\n\treturn x%2 == 0\n}\n"},
    },
    "rust": {
        "twoSum": {
            "method": "use std::collections::HashMap;\n\nimpl Solution {\n"
                      "    pub fn two_sum(nums: Vec<i32>, target: i32) -> Vec<i32> {\n"
                      "        let mut seen = HashMap::new();\n"
                      "        for (i, &x) in nums.iter().enumerate() {\n"
                      "            if let Some(&j) = seen.get(&(target - x)) {\n"
                      "                return vec![j as i32, i as i32];\n            }\n"
                      "            seen.insert(x, i);\n        }\n        vec![]\n    }\n}\n",
            "free": "fn two_sum(nums: Vec<i32>, target: i32) -> Vec<i32> {\n"
                    "    for i in 0..nums.len() {\n        for j in i + 1..nums.len() {\n"
                    "            if nums[i] + nums[j] == target {\n"
                    "                return vec![i as i32, j as i32];\n            }\n        }\n    }\n"
                    "    vec![]\n}\n\nfn main() {\n    println!(\"{:?}\", two_sum(vec![1, 2], 3));\n}\n",
            "wrong": "impl Solution {\n    pub fn two_sum(nums: Vec<i32>, target: i32) -> Vec<i32> {\n"
                     "        println!(\"[0, 1]\");\n        vec![0, 0]\n    }\n}\n",
            "crash": "impl Solution {\n    pub fn two_sum(nums: Vec<i32>, target: i32) -> Vec<i32> {\n"
                     "        vec![nums[1000]]\n    }\n}\n",
            "hang": "impl Solution {\n    pub fn two_sum(nums: Vec<i32>, target: i32) -> Vec<i32> {\n"
                    "        let mut x: u64 = 0;\n        loop {\n"
                    "            x = x.wrapping_add(nums.len() as u64);\n"
                    "            if x == 7 {\n                return vec![];\n            }\n        }\n    }\n}\n",
            "ce": "impl Solution {\n    pub fn two_sum(nums: Vec<i32>, target: i32) -> Vec<i32> {\n"
                  "        nums.len()\n    }\n}\n",
            "fd3": "use std::io::Write;\nuse std::os::unix::io::FromRawFd;\n\nimpl Solution {\n"
                   "    pub fn two_sum(nums: Vec<i32>, target: i32) -> Vec<i32> {\n"
                   "        let mut f = std::mem::ManuallyDrop::new(unsafe { std::fs::File::from_raw_fd(3) });\n"
                   "        f.write_all(b\"[0,1]\\n\").unwrap();\n        vec![]\n    }\n}\n",
            # Dropping its File closes fd 3: the harness cannot write its value, and fails.
            "fd3-closed": "use std::io::Write;\nuse std::os::unix::io::FromRawFd;\n\nimpl Solution {\n"
                          "    pub fn two_sum(nums: Vec<i32>, target: i32) -> Vec<i32> {\n"
                          "        let mut f = unsafe { std::fs::File::from_raw_fd(3) };\n"
                          "        f.write_all(b\"[0,1]\\n\").unwrap();\n        vec![]\n    }\n}\n",
        },
        "mix": {"right": "impl Solution {\n    pub fn mix(grid: Vec<Vec<i32>>, big: i64, words: Vec<String>, sep: char,"
                         " xs: Vec<f64>, flags: Vec<bool>) -> Vec<String> {\n"
                         "        let total: i64 = big + grid.iter().flatten().map(|&x| x as i64).sum::<i64>();\n"
                         "        let on = flags.iter().filter(|&&f| f).count();\n"
                         "        let positive = xs.iter().filter(|&&x| x > 0.0).count();\n"
                         "        vec![words.join(&sep.to_string()), total.to_string(), on.to_string(),"
                         " positive.to_string()]\n    }\n}\n"},
        "mean": {"right": "impl Solution {\n    pub fn mean(xs: Vec<f64>) -> f64 {\n"
                          "        xs.iter().sum::<f64>() / xs.len() as f64\n    }\n}\n"},
        "board": {"right": "impl Solution {\n    pub fn board(rows: i32, cols: i32, c: char) -> Vec<Vec<char>> {\n"
                           "        vec![vec![c; cols as usize]; rows as usize]\n    }\n}\n"},
        "total": {"right": "impl Solution {\n    pub fn total(a: Vec<Vec<i64>>, neg: bool) -> i64 {\n"
                           "        let s: i64 = a.iter().flatten().sum();\n"
                           "        if neg { -s } else { s }\n    }\n}\n"},
        "isEven": {"right": "impl Solution {\n    pub fn is_even(x: i64) -> bool {\n        x % 2 == 0\n    }\n}\n"},
    },
}
TWO_SUM = {"method": "AC", "free": "AC", "wrong": "WA", "crash": "RE", "hang": "TLE", "ce": "CE",
           "fd3": "WA", "fd3-closed": "RE"}


def _wrong(lang: str, problem: str, code: str) -> str | None:
    """A wrong twin of a right solution: the mean off by 1e-3 (outside the tolerance), the
    joined words without their separator."""
    if problem == "mean":
        return {"cpp": code.replace("return s / xs.size();", "return s / xs.size() + 1e-3;"),
                "java": code.replace("/ xs.length;", "/ xs.length + 1e-3;"),
                "javascript": code.replace("/ xs.length;", "/ xs.length + 1e-3;"),
                "go": code.replace("return s / float64(len(xs))", "return s/float64(len(xs)) + 1e-3"),
                "rust": code.replace("/ xs.len() as f64", "/ xs.len() as f64 + 1e-3")}[lang]
    if problem == "mix":
        return {"cpp": code.replace("if (i) joined += sep;", ""),
                "java": code.replace("String.valueOf(sep)", "\"\""),
                "javascript": code.replace("words.join(sep)", "words.join('')"),
                "go": code.replace("string(sep)", "\"\""),
                "rust": code.replace("&sep.to_string()", "\"\"")}[lang]
    return None


def _config(**extra) -> dict:
    return {"time_limit_s": 1.0, "memory_limit_mb": 256, "keep_output": 4096,
            "isolation": "full" if in_ci() else "auto", **extra}


def _tables():
    problems = [{"problem_id": name, "kind": "function", "entry_point": name, "signature": sig,
                 "judge": judge, "time_limit_s": 5.0 if name != "twoSum" else 1.0,
                 "tests": [{"input": json.dumps(i, ensure_ascii=False), "output": json.dumps(o)}
                           for i, o in tests]}
                for name, (sig, judge, tests) in PROBLEMS.items()]
    solutions = []
    for lang in LANGS:
        for problem, codes in SOLUTIONS[lang].items():
            for sid, code in codes.items():
                solutions.append({"problem_id": problem, "solution_id": f"{lang}/{sid}",
                                  "language": lang, "code": code})
                wrong = _wrong(lang, problem, code)
                if wrong is not None:
                    assert wrong != code, (lang, problem)
                    solutions.append({"problem_id": problem, "solution_id": f"{lang}/wrong",
                                      "language": lang, "code": wrong})
    return problems, solutions


@pytest.fixture(scope="module")
def run(client):
    problems, solutions = _tables()
    result = score(problems, solutions, client=client, config=_config())
    rows = {}
    for r in result.tests.itertuples():
        rows.setdefault((r.problem_id, r.solution_id), []).append((r.verdict, r.message))
    return rows


@pytest.mark.parametrize("lang,sid", [(lang, sid) for lang in LANGS
                                      for sid in SOLUTIONS[lang]["twoSum"]])
def test_two_sum_verdicts(run, lang, sid):
    got = run[("twoSum", f"{lang}/{sid}")]
    assert [v for v, _ in got] == [TWO_SUM[sid]] * 3, got
    message = got[0][1]
    if sid == "ce":
        assert "error" in message.lower(), got
    if sid == "wrong":
        # The right answer printed on stdout (and, in JavaScript, a patched JSON.stringify)
        # is not the returned value.
        assert message == "expected '[0, 1]', got '[0,0]'", got
    if sid == "fd3":
        # The right answer written on fd 3 beside the harness's line is no value at all.
        assert "other than one value" in message, got


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("problem", ["mix", "mean", "board", "total", "isEven"])
def test_argument_and_return_types(run, lang, problem):
    tests = PROBLEMS[problem][2]
    want = ["SE" if lang == "javascript" and (problem, k) in JS_UNFIT else "AC"
            for k in range(len(tests))]
    got = run[(problem, f"{lang}/right")]
    assert [v for v, _ in got] == want, got
    for (verdict, message), w in zip(got, want):
        if w == "SE":
            assert message.startswith("test arguments do not fit the signature:") \
                and "does not fit" in message, message
    if problem in ("mix", "mean"):
        # Words joined without their separator (the second test has no words); the mean
        # off by 1e-3, outside 1e-6 but for 100000, where it is within 1e-6 relative.
        wrong = run[(problem, f"{lang}/wrong")]
        assert [v for v, _ in wrong] == {"mix": ["WA", "AC"], "mean": ["WA", "AC", "WA"]}[problem], wrong


# ------------------------------------------------------------- without a sandbox run

def test_signatures_read_in_every_syntax_agree():
    texts = [
        "class Solution {\npublic:\n    vector<vector<long long>> f(vector<string>& w, char c, double d, bool b) {",
        "class Solution {\n    public long[][] f(String[] w, char c, double d, boolean b) {",
        "func f(w []string, c byte, d float64, b bool) [][]int64 {",
        "impl Solution {\n    pub fn f(w: Vec<String>, c: char, d: f64, b: bool) -> Vec<Vec<i64>> {",
    ]
    for text in texts:
        sig = parse(text, "f")
        assert [p.name for p in sig.params] == ["w", "c", "d", "b"], text
        shape = [(p.type.kind, p.type.item and p.type.item.kind) for p in sig.params]
        assert shape == [("list", "string"), ("char", None), ("double", None), ("bool", None)]
        assert (sig.returns.kind, sig.returns.item.kind, sig.returns.item.item.kind) == \
            ("list", "list", "long")
        for lang in ("cpp", "java", "go", "rust"):
            assert spell(sig, sig.returns, lang) == {
                "cpp": "std::vector<std::vector<long long>>", "java": "long[][]",
                "go": "[][]int64", "rust": "Vec<Vec<i64>>"}[lang]


def test_qualified_and_c_style_declarations():
    sig = parse("class Solution {\npublic:\n    std::vector<std::vector<int>> f("
                "const std::vector<std::string>& w) {", "f")
    assert (sig.language, sig.returns.text) == ("cpp", "std::vector<std::vector<int>>")
    assert [p.type.text for p in sig.params] == ["std::vector<std::string>"]
    sig = parse("public int f(String w, int a[][])", "f")
    assert [p.type.text for p in sig.params] == ["String", "int[][]"]
    assert parse("var functional = 1;\nfunction f(a, b) {}", "f").language == "javascript"


def _build_stats(dask_worker, source) -> dict:
    from pipeline.worker import PLUGIN_NAME
    from pipeline.sandbox import build, languages

    cpp = languages.get("cpp")
    level = dask_worker.plugins[PLUGIN_NAME].pool.level
    key = build.key(cpp, source, cpp.compile_commands(languages.pch_for(cpp, level)))
    return build.BUILDS.stats.get(key, {})


def test_all_tests_of_a_solution_share_one_build(client):
    import uuid

    from pipeline.sandbox.languages.function import cpp

    sig = "long long square(long long n)"
    code = f"// {uuid.uuid4()}\nlong long square(long long n) {{ return n * n; }}\n"
    problems = [{"problem_id": "square", "kind": "function", "entry_point": "square",
                 "signature": sig, "tests": [{"input": f"[{i}]", "output": str(i * i)}
                                             for i in range(-10, 10)]}]
    solutions = [{"problem_id": "square", "solution_id": "s", "language": "cpp", "code": code}]
    result = score(problems, solutions, client=client, config=_config(partitions=4))
    assert result.tests["verdict"].astype(str).tolist() == ["AC"] * 20
    [stats] = client.run(_build_stats, source=cpp.source(code, parse(sig, "square"),
                                                         "square")).values()
    assert stats["compiled"] == 1, stats
    assert stats["compiled"] + stats["disk"] + stats["memory"] > 1, stats


@pytest.mark.parametrize("text,why", [
    ("TreeNode* f(TreeNode* root)", "type 'TreeNode*'"),
    ("void f(vector<int>& nums)", "type 'void'"),
    ("public List<int[]>[] f(int a)", "type"),
    ("unordered_map<int, int> f(int a)", "type 'unordered_map<int,int>'"),
    ("def f(self, root: Optional[TreeNode]) -> int:", "type 'Optional[TreeNode]'"),
    ("pub fn f(n: usize) -> i32 {", "type 'usize'"),
    ("func f(a []int) {", "returns nothing"),
    ("float f(float x)", "type 'float'"),
    ("int g(int a)", "no declaration of 'f'"),
])
def test_unsupported_signatures_are_named(text, why):
    with pytest.raises(Unsupported, match=why.replace("[", r"\[").replace("*", r"\*")):
        parse(text, "f")


def test_arguments_are_checked_against_the_target_language():
    sig = parse("int f(vector<long long> a, char c, string s)", "f")
    assert arguments("cpp", sig, '[[-9223372036854775808], "x", "\\ud83d\\ude00"]') == \
        b'[[-9223372036854775808], "x", "\\ud83d\\ude00"]'
    for lang, call, why in [
        ("cpp", '[[9223372036854775808], "x", ""]', "does not fit long long"),
        ("javascript", '[[9007199254740993], "x", ""]', "does not fit"),
        ("cpp", '[[1], "é", ""]', "does not fit a cpp char"),
        ("cpp", '[[1], "xy", ""]', "expected one character"),
        ("cpp", '[[true], "x", ""]', "expected an integer"),
        ("cpp", '[[1], "x", "\\ud800"]', "lone surrogate"),
        ("cpp", '[[1], "x"]', "gives 2 arguments"),
        ("cpp", '{"a": [1], "c": "x"}', "missing"),
    ]:
        with pytest.raises(Unsupported, match=why):
            arguments(lang, sig, call)
    assert arguments("java", sig, '[[1], "é", "\\ud800"]')     # UTF-16 holds both
    assert arguments("rust", sig, '[[1], "😀", ""]')


def test_the_record_is_exactly_one_line_written_by_the_harness():
    def rec(raw, **kw):
        return record(Outcome(Status.EXITED, **{"exit_code": 0, **kw}, raw_record=raw), None)

    assert rec(b'"x"\n') == Record(RecordKind.RETURNED, value='"x"')
    assert rec(b'[0,1]\n[]\n').kind is RecordKind.GARBLED      # the program wrote one too
    assert rec(b'[0,1]').kind is RecordKind.GARBLED            # cut off
    assert rec(b'[0,1]', exit_code=1) is None                  # cut off by a crash: RE
    assert rec(b"") is None
    assert rec(b"", stderr=b"daskjudge: return value not serialisable: Map\n") == Record(
        RecordKind.RETURNED, unserialisable="unsupported return value: Map")


def test_a_problem_without_types_is_the_problems_failure(pool):
    limits = [Limits(cpu_s=2.0)]
    cpp = Program("int f(int a) { return a; }", mode="function", call="[1]", entry_point="f",
                  language="cpp")
    [o] = pool.run_batch([cpp], limits)
    assert o.status is Status.SANDBOX_ERROR and o.message.startswith(
        "signature not supported: the problem has neither a signature nor starter code"), o
    [o] = pool.run_batch([Program(cpp.code, mode="function", call="[1]", entry_point="f",
                                  language="cpp", signature="TreeNode* f(TreeNode* r)")], limits)
    assert (o.status, o.message) == ("sandbox_error", "signature not supported: type 'TreeNode*'")
    js = Program("var f = function(a) { return a; };", mode="function", call="[[1, {\"a\": 2}]]",
                 entry_point="f", language="javascript")
    [o] = pool.run_batch([js], limits)
    assert o.record == Record(RecordKind.RETURNED, value='[1,{"a":2}]'), o
    with pytest.raises(Unsupported, match="no types for cpp"):
        signature_for("cpp", "f", "var f = function(a) {")
