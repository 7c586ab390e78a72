using RagTune.Evaluation.Comparison;

namespace RagTune.Evaluation.Tests.Comparison;

public class SyntheticDomainTests
{
    [Fact]
    public void SameSeed_SameDomain_OtherSeed_OtherDomain()
    {
        var a = SyntheticDomain.Generate(7);
        var b = SyntheticDomain.Generate(7);
        var c = SyntheticDomain.Generate(8);
        Assert.Equal(a.Facts, b.Facts);
        Assert.Equal(a.Documents, b.Documents);
        Assert.Equal(a.UpdatedDocuments, b.UpdatedDocuments);
        Assert.Equal(a.ChangedFacts, b.ChangedFacts);
        Assert.NotEqual(a.Facts.Select(f => f.Statement), c.Facts.Select(f => f.Statement));
    }

    [Fact]
    public void Facts_AreStatedInTheirDocument_AndAnsweredByTheLastWord()
    {
        var domain = SyntheticDomain.Generate(42);
        Assert.Equal(3 * 12 * 2, domain.Facts.Count);
        Assert.Equal(domain.Facts.Count, domain.Facts.Select(f => (f.Subject, f.Attribute)).Distinct().Count());
        foreach (var fact in domain.Facts)
        {
            Assert.Contains(fact.Statement, domain.Documents.Single(d => d.Id == fact.DocumentId).Text);
            Assert.EndsWith($" {fact.Value}.", fact.Statement);
            Assert.Contains(fact.Subject, fact.Question);
            Assert.DoesNotContain(fact.Value, fact.Question);
        }
    }

    [Fact]
    public void Update_ChangesSomeValues_OnlyInTheUpdatedDocuments()
    {
        var domain = SyntheticDomain.Generate(42, new SyntheticDomainOptions { UpdateFraction = 0.25 });
        Assert.Equal((int)Math.Round(domain.Facts.Count * 0.25), domain.ChangedFacts.Count);
        foreach (var changed in domain.ChangedFacts)
        {
            var old = domain.Facts.Single(f => f.Id == changed.Id);
            Assert.NotEqual(old.Value, changed.Value);
            var doc = domain.UpdatedDocuments.Single(d => d.Id == changed.DocumentId);
            Assert.Contains(changed.Statement, doc.Text);
            Assert.DoesNotContain(old.Statement, doc.Text);
        }
        Assert.Equal(domain.ChangedFacts.Select(f => f.DocumentId).Distinct().Order(), domain.UpdatedDocuments.Select(d => d.Id).Order());
    }

    [Fact]
    public void ContextSelector_PicksTheSentenceOfTheAskedAttribute()
    {
        var domain = SyntheticDomain.Generate(3);
        foreach (var fact in domain.Facts)
            Assert.Equal(fact.Statement, ContextSelector.Select(fact.Question, [domain.Documents.Single(d => d.Id == fact.DocumentId).Text]));
    }
}
