// Evaluates the parsed "relevant" conditions of a criteria set (DESIGN §4) in the browser.
// The server parses each condition and sends it as JSON (see assessments/domain/relevance.py):
// {"cmp": op, "l": atom, "r": atom} | {"in": [item, container]} | {"truth": atom} |
// {"not": node} | {"and": [nodes]} | {"or": [nodes]}; atom = {"ref": code} | {"lit": value}.
// A reference to a criterion that is unanswered or not applicable is missing: every comparison
// with it is false except "!=", and "in" is false. The server remains the authority.
(function (root) {
  "use strict";
  var MISSING = {};

  function value(atom, env) {
    if (Object.prototype.hasOwnProperty.call(atom, "lit")) { return atom.lit; }
    return Object.prototype.hasOwnProperty.call(env, atom.ref) ? env[atom.ref] : MISSING;
  }

  function equal(a, b) {
    if (Array.isArray(a) && Array.isArray(b)) {
      if (a.length !== b.length) { return false; }
      return a.every(function (x) { return b.indexOf(x) >= 0; });
    }
    return a === b;
  }

  function evaluate(node, env) {
    if (node.cmp) {
      var a = value(node.l, env), b = value(node.r, env);
      if (a === MISSING || b === MISSING) { return node.cmp === "!="; }
      switch (node.cmp) {
        case "==": return equal(a, b);
        case "!=": return !equal(a, b);
        case "<": return a < b;
        case "<=": return a <= b;
        case ">": return a > b;
        default: return a >= b;
      }
    }
    if (node["in"]) {
      var item = value(node["in"][0], env), cont = value(node["in"][1], env);
      if (item === MISSING || cont === MISSING) { return false; }
      return Array.isArray(cont) ? cont.indexOf(item) >= 0 : false;
    }
    if (node.truth) { return value(node.truth, env) === true; }
    if (Object.prototype.hasOwnProperty.call(node, "not")) { return !evaluate(node.not, env); }
    if (node.and) { return node.and.every(function (n) { return evaluate(n, env); }); }
    if (node.or) { return node.or.some(function (n) { return evaluate(n, env); }); }
    return false;
  }

  // criteria: [{code, type, when}] in file order; answers: {code: value}.
  // Returns {code: true|false}: whether each criterion applies.
  function compute(criteria, answers) {
    var env = {}, out = {};
    criteria.forEach(function (c) {
      var applies = !c.when || evaluate(c.when, env);
      out[c.code] = applies;
      var v = answers[c.code];
      if (applies && v !== undefined && v !== null) {
        env[c.code] = (c.type === "number" || c.type === "scale") ? Number(v) : v;
      }
    });
    return out;
  }

  root.TDRelevance = { evaluate: evaluate, compute: compute };
})(window);
